package dev.mailroot.server.delivery;

import java.util.List;

/**
 * The outcome of delivering one message to its recipients.
 *
 * @param delivered  the recipients that now have a copy
 * @param permanent  recipients that can never be delivered here, with the reason
 * @param temporary  recipients whose delivery failed for now (I/O, a full mailbox), with the reason
 * @param resolution how recipients were resolved through the directory (aliases, groups, forwarding), for the trace
 */
public record DeliveryReport(List<String> delivered, List<Failure> permanent, List<Failure> temporary, List<String> resolution) {

    /** One recipient that was not delivered. */
    public record Failure(String recipient, String reason) {
    }

    public DeliveryReport {
        delivered = List.copyOf(delivered);
        permanent = List.copyOf(permanent);
        temporary = List.copyOf(temporary);
        resolution = List.copyOf(resolution);
    }

    public DeliveryReport(List<String> delivered, List<Failure> permanent, List<Failure> temporary) {
        this(delivered, permanent, temporary, List.of());
    }
}
