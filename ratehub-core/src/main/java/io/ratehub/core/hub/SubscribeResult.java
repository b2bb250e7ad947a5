package io.ratehub.core.hub;

/**
 * What {@link HubSession#subscribe} did: the channel's epoch and head at the moment of subscribing, and how the
 * subscriber was caught up.
 *
 * <p>Immutable and thread-safe.
 *
 * @param channel the channel name
 * @param kind the channel's kind
 * @param epoch the channel's epoch
 * @param headSeq the channel's last sequence number when the subscription began
 * @param recovery how the subscriber was caught up
 * @param sent how many updates were queued to catch up (snapshot, delta or replay)
 * @param lostFrom with {@link Recovery#LOST}: the first sequence number that can no longer be delivered (in the
 *     subscriber's epoch, or 1 in a new epoch); otherwise 0
 * @param lostTo with {@link Recovery#LOST}: the last one; otherwise 0
 */
public record SubscribeResult(String channel, ChannelKind kind, String epoch, long headSeq, Recovery recovery,
                              int sent, long lostFrom, long lostTo) {
}
