package dev.mailroot.server.delivery;

import java.util.List;

/**
 * The outcome of delivering one message to its recipients.
 *
 * @param delivered  the recipients that now have a copy
 * @param permanent  recipients that can never be delivered here, with the reason
 * @param temporary  recipients whose delivery failed for now (I/O), with the reason
 */
public record DeliveryReport(List<String> delivered, List<Failure> permanent, List<Failure> temporary) {

    /** One recipient that was not delivered. */
    public record Failure(String recipient, String reason) {
    }

    public DeliveryReport {
        delivered = List.copyOf(delivered);
        permanent = List.copyOf(permanent);
        temporary = List.copyOf(temporary);
    }
}
