package io.ratehub.examples.load;

import org.HdrHistogram.Histogram;

/**
 * What a {@link LoadClient} received during one interval (between two {@link LoadClient#sample()} calls), over all
 * its reading connections.
 *
 * @param updates live updates received, each update inside a batch frame counted
 * @param frames text frames received that carried at least one live update
 * @param lost live updates skipped: the sum over connections of the gaps in their {@code seq}
 * @param outOfOrder live updates whose {@code seq} was not above the connection's last one (duplicates, reordering)
 * @param bytes bytes read from the sockets (frames with their headers)
 * @param latencyMicros receive time minus the update's event {@code time}, in microseconds, one value per live update
 *     (this interval's values only; the caller owns it)
 * @param nanos the length of the interval, in nanoseconds
 */
public record LoadSample(long updates, long frames, long lost, long outOfOrder, long bytes, Histogram latencyMicros,
        long nanos) {

    /** Live updates per second over the interval (0 for an empty interval). */
    public double updatesPerSecond() {
        return nanos <= 0 ? 0 : updates * 1e9 / nanos;
    }
}
