/**
 * Rings between stages. Descriptors (64-bit references into guest or pooled memory) travel over
 * Agrona's single-producer ring; payloads never do.
 */
package io.vplane.engine.ring;
