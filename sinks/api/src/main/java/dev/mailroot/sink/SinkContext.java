package dev.mailroot.sink;

import org.slf4j.Logger;

import java.util.Map;

/**
 * What a sink knows about the binding that called it. Handed to every call; cheap to use.
 */
public interface SinkContext {

    /** The binding's id, a GUID in braces: {@code {66F4180A-627E-4073-8D31-51F628AA8366}}. */
    String bindingId();

    /** The binding's display name. */
    String bindingName();

    /** The binding's sink properties (the smtpreg "Sink" property bag); unmodifiable. */
    Map<String, String> properties();

    /**
     * A logger for this sink. Lines logged through it carry the message id and the binding name,
     * like every line the server logs about the message.
     */
    Logger logger();
}
