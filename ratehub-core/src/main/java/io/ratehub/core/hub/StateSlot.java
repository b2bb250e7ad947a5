package io.ratehub.core.hub;

/**
 * A state value's place in a session's queue: one per channel and key, so a newer value replaces the queued older
 * one. Channels keep one instance per key and share it with every subscriber.
 */
record StateSlot(String channel, String key) {
}
