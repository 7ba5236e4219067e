// Timers overflow past 2^31 - 1 ms: Node fires them after 1 ms (with a TimeoutOverflowWarning),
// browsers at once. A longer wait (a server's `retry:`, a huge `readTimeout`) gets this instead:
// about 24.8 days.
const MAX_TIMER_DELAY = 2 ** 31 - 1

/** `setTimeout` with the delay clamped to what every platform's timers can hold. @internal */
export function setClampedTimeout(
  callback: () => void,
  delay: number,
): ReturnType<typeof setTimeout> {
  return setTimeout(callback, Math.min(delay, MAX_TIMER_DELAY))
}
