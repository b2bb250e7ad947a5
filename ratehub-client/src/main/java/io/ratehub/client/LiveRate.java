package io.ratehub.client;

import io.ratehub.core.model.StoreRate;

/**
 * A store rate from the client's cache together with whether it may be quoted now. A calculator shows
 * {@link #rate()} for context but quotes only when {@link #live()} is true.
 *
 * <p>Liveness is judged when the rate is read ({@link RateHubClient#rate}): a rate is live only while the client is
 * connected, its store's subscription is caught up on the current link, the hub does not mark it stale, its override
 * has not ended, and something was heard on the link within the client's liveness bound
 * ({@link RateHubClient.Builder#livenessTimeout}, 5 s by default). A stalled link therefore turns every cached rate
 * NOT LIVE ("link silent: ...") within that bound, and back to live as soon as the link is heard from again.
 *
 * <p>Immutable and thread-safe.
 *
 * @param rate the last rate received
 * @param live whether it may be quoted: connected and caught up, not stale, its override not ended, and heard from
 *     within the liveness bound
 * @param notLiveBecause why not, or {@code null} when live
 */
public record LiveRate(StoreRate rate, boolean live, String notLiveBecause) {
}
