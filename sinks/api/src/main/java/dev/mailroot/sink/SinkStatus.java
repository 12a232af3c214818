package dev.mailroot.sink;

/**
 * What a sink tells the dispatcher about the rest of the chain, as IIS's {@code CdoEventStatus}.
 */
public enum SinkStatus {
    /** Run the next matching binding (IIS {@code cdoRunNextSink}). */
    RUN_NEXT_SINK,
    /**
     * This sink consumed the event: no binding of lower priority runs for this message (IIS
     * {@code cdoSkipRemainingSinks}). The message still goes on to delivery with its current fate.
     */
    SKIP_REMAINING_SINKS
}
