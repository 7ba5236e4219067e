/**
 * Exactly once, in order, across hand-overs: decides, for one source, which of the events its
 * leaders report it dispatches.
 *
 * Within one leader's term (an epoch) the stream is the connection's own: every event goes
 * through, as without sharing. When a new leader takes over, its connection resumes after its
 * last event ID, so the server replays what came after that id. A source that already
 * dispatched some of those events (the old leader's last broadcasts reached it before the new
 * leader, or the new leader is the one lagging behind) skips them: it remembers the ids of the
 * events it dispatched, and the first events of the new epoch that repeat, in order, the ones it
 * dispatched after the resume point are dropped. The first event that does not repeat ends the
 * skipping, so an id a server reuses later is never dropped.
 *
 * Broadcasts of an earlier leader that arrive after the new leader's announcement are
 * dispatched until the new leader's first event (they come before it in the stream), and
 * dropped after (the replay holds them, in their place).
 */

/** Event ids remembered: far more than a hand-over leaves in flight. */
const HISTORY = 512
/** Epochs remembered as over. */
const RETIRED = 16

/** @internal */
export class Sequencer {
  #epoch: string | undefined
  readonly #retired: string[] = []
  /** The last event ID of each event dispatched, oldest first (at most 2 × HISTORY). */
  readonly #history: string[] = []
  /** Where the current epoch's stream resumes, until its first event. */
  #resumeFrom: string | undefined
  /** Ids the current epoch's stream will repeat, in order. */
  #replay: string[] = []
  /** Whether an event of the current epoch went through. */
  #started = false

  /**
   * Epoch `epoch` begins, its stream resuming after `resumeFrom` (undefined: the source joins
   * it, with nothing to skip). Returns false for an epoch that is over; true when `epoch` is, or
   * now became, the current one.
   */
  begin(epoch: string, resumeFrom?: string): boolean {
    if (epoch === this.#epoch) return true
    if (this.#retired.includes(epoch)) return false
    if (this.#epoch !== undefined && this.#retired.push(this.#epoch) > RETIRED)
      this.#retired.shift()
    this.#epoch = epoch
    this.#resumeFrom = resumeFrom
    this.#replay = []
    this.#started = false
    return true
  }

  /** Whether to dispatch an event of `epoch` whose last event ID is `id`; records it if so. */
  accept(epoch: string, id: string): boolean {
    if (epoch !== this.#epoch && !this.begin(epoch)) {
      // A late broadcast of an earlier leader.
      if (this.#started) return false
      this.#record(id)
      return true
    }
    if (this.#resumeFrom !== undefined) {
      const at = this.#history.lastIndexOf(this.#resumeFrom)
      this.#replay = at === -1 ? [] : this.#history.slice(at + 1)
      this.#resumeFrom = undefined
    }
    this.#started = true
    if (this.#replay[0] === id) {
      this.#replay.shift()
      return false
    }
    this.#replay = []
    this.#record(id)
    return true
  }

  #record(id: string): void {
    // Trimmed in batches: one splice per HISTORY events, not a shift per event.
    if (this.#history.push(id) > 2 * HISTORY) this.#history.splice(0, HISTORY)
  }
}
