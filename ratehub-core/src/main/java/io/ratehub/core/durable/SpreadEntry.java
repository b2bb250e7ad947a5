package io.ratehub.core.durable;

import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.SpreadRule;
import java.time.Instant;

/**
 * A spread rule in force, with who set it and when: what a store's pricing of a pair needs to be restored.
 * Immutable and thread-safe.
 *
 * @param storeId the store
 * @param pair the pair
 * @param rule the rule
 * @param setBy the actor of the {@code spread.set} entry
 * @param setAt the time of the {@code spread.set} entry
 */
public record SpreadEntry(String storeId, CurrencyPair pair, SpreadRule rule, String setBy, Instant setAt) {
}
