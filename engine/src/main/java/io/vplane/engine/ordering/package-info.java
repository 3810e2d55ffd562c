/** Memory-ordering access to fields shared between threads: VarHandles for acquire/release, CAS and fences. */
package io.vplane.engine.ordering;
