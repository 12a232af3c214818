package dev.mailroot.server.delivery;

import java.util.List;

/**
 * The outcome of delivering one message to its recipients.
 *
 * @param delivered  the recipients that now have a copy
 * @param permanent  recipients that can never be delivered here, with the reason
 * @param temporary  recipients whose delivery failed for now (I/O, a full mailbox), with the reason
 * @param resolution how recipients were resolved through the directory (aliases, groups, forwarding), for the trace
 * @param remote     addresses outside the local domains this message must go to: recipients, and
 *                   forwarding targets of local mailboxes (the outbound queue sends them)
 */
public record DeliveryReport(List<String> delivered, List<Failure> permanent, List<Failure> temporary, List<String> resolution,
                             List<String> remote) {

    /** One recipient that was not delivered. */
    public record Failure(String recipient, String reason) {
    }

    public DeliveryReport {
        delivered = List.copyOf(delivered);
        permanent = List.copyOf(permanent);
        temporary = List.copyOf(temporary);
        resolution = List.copyOf(resolution);
        remote = List.copyOf(remote);
    }

    public DeliveryReport(List<String> delivered, List<Failure> permanent, List<Failure> temporary, List<String> resolution) {
        this(delivered, permanent, temporary, resolution, List.of());
    }

    public DeliveryReport(List<String> delivered, List<Failure> permanent, List<Failure> temporary) {
        this(delivered, permanent, temporary, List.of());
    }
}
