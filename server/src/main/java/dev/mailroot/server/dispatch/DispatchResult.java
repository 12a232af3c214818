package dev.mailroot.server.dispatch;

import dev.mailroot.sink.Fate;

/**
 * What the OnSubmission stage decided for a message.
 *
 * @param fate  deliver, abort or badmail
 * @param setBy the binding that set a fate other than deliver ("name {id}"), or null
 * @param ran   how many bindings ran
 */
public record DispatchResult(Fate fate, String setBy, int ran) {
}
