package dev.mailroot.filters;

import dev.mailroot.sink.protocol.EndOfData;
import dev.mailroot.sink.protocol.ProtocolSession;

import java.io.IOException;

/** A spam-scanning engine the content filter asks: {@link Rspamd} or {@link Spamd}. Thread-safe. */
interface ScanEngine {

    /**
     * Scans {@code message} (at most {@code content.maxScanSize} bytes, already checked).
     *
     * @param content the message's bytes, as received
     * @throws IOException if the engine cannot be reached, does not answer within the configured
     *                     time, or answers something that is not a result
     */
    Scan scan(ProtocolSession session, EndOfData message, byte[] content) throws IOException, InterruptedException;
}
