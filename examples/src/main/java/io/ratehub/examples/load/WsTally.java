package io.ratehub.examples.load;

import org.HdrHistogram.Histogram;

/**
 * One interval's counters and latency histogram of one IO thread. Written only by its IO thread while inside the
 * thread's writer critical section; read and reset by {@link LoadClient#sample()} after a phase flip. Not
 * thread-safe by itself.
 */
final class WsTally {
    /** Highest latency recorded, in microseconds (one hour); larger values are recorded as this. */
    static final long HIGHEST_MICROS = 3_600_000_000L;
    /** Significant digits of the latency histograms. */
    static final int DIGITS = 3;

    long updates;
    long frames;
    long lost;
    long outOfOrder;
    long bytes;
    final Histogram latency = newHistogram();

    /** A histogram of the load tool's range and precision. */
    static Histogram newHistogram() {
        return new Histogram(HIGHEST_MICROS, DIGITS);
    }

    /** Records one latency, clamped to [0, {@link #HIGHEST_MICROS}]. */
    void record(long micros) {
        latency.recordValue(micros < 0 ? 0 : Math.min(micros, HIGHEST_MICROS));
    }

    /** Adds this interval's figures into {@code into}. */
    void addTo(WsTally into) {
        into.updates += updates;
        into.frames += frames;
        into.lost += lost;
        into.outOfOrder += outOfOrder;
        into.bytes += bytes;
        into.latency.add(latency);
    }

    /** Zeroes everything. */
    void reset() {
        updates = 0;
        frames = 0;
        lost = 0;
        outOfOrder = 0;
        bytes = 0;
        latency.reset();
    }
}
