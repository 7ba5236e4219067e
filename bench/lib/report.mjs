/**
 * Turns a results object (the same one written as JSON) into Markdown: a summary table (median
 * and ratio to the reference per cell), one detail table per metric (min–max, ratio ranges,
 * rounds), footnotes for unsupported clients and errors, and the optional browser section.
 */

/** Three significant digits, without exponent notation; events/s get k/M suffixes. */
export function formatValue(value, unit) {
  if (!Number.isFinite(value)) return '–'
  if (unit === 'events/s') {
    if (Math.abs(value) >= 1e6) return `${(value / 1e6).toPrecision(3)} M`
    if (Math.abs(value) >= 1e3) return `${(value / 1e3).toPrecision(3)} k`
  }
  if (Math.abs(value) >= 100) return value.toFixed(0)
  return value.toPrecision(3)
}

/** Ratios with two significant digits: "0.37×", "12×". */
export function formatRatio(ratio) {
  if (!Number.isFinite(ratio)) return 'n/a'
  return `${Math.abs(ratio) >= 10 ? ratio.toFixed(0) : ratio.toPrecision(2)}×`
}

function range(summary, format) {
  if (summary === null) return '–'
  return `${format(summary.min)}–${format(summary.max)}`
}

/** Numbered footnotes, one number per distinct text. */
function footnotes() {
  const texts = []
  return {
    mark(text) {
      let index = texts.indexOf(text)
      if (index === -1) index = texts.push(text) - 1
      return `[${index + 1}]`
    },
    render: () => texts.map((text, index) => `${index + 1}. ${text}`),
  }
}

function row(cells) {
  return `| ${cells.join(' | ')} |`
}

function table(header, rows) {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n')
}

/** One summary cell: the median and its ratio, or why there is none. */
function cell(entry, metric, notes, clientLabel) {
  if (entry === undefined || entry.notMeasured) return '–'
  if (entry.median === null || entry.median === undefined) {
    if (entry.unsupported)
      return `unsupported ${notes.mark(`${clientLabel}: ${entry.unsupported}`)}`
    const error = entry.errors?.[0] ?? 'no result'
    return `error ${notes.mark(`${clientLabel}, ${metric.label}: ${error}`)}`
  }
  let text = `${formatValue(entry.median, metric.unit)} · ${formatRatio(entry.ratio?.median)}`
  if (entry.unsupported) text += ` ${notes.mark(`${clientLabel}: ${entry.unsupported}`)}`
  if (entry.errors?.length) {
    text += ` ${notes.mark(`${clientLabel}, ${metric.label}: ${entry.errors.length} failed round(s): ${entry.errors[0]}`)}`
  }
  return text
}

/** The node tables, from `results.clients` and `results.metrics`. */
function clientTables(results, notes, referenceLabel) {
  const { metrics, clients } = results
  const lines = []
  lines.push(
    table(
      [
        'client',
        'version',
        ...metrics.map((metric) => `${metric.label} (${metric.unit}${ownRatio(metrics, metric)})`),
      ],
      clients.map((client) => [
        client.label,
        client.version,
        ...metrics.map((metric) => cell(client.metrics[metric.id], metric, notes, client.label)),
      ]),
    ),
  )
  lines.push('')
  lines.push(`### Details`)
  for (const metric of metrics) {
    lines.push('')
    const versus =
      metric.relativeTo === undefined
        ? referenceLabel
        : `the same client's ${metrics.find((other) => other.id === metric.relativeTo)?.label}`
    lines.push(
      `#### ${metric.label}, ${metric.unit} (${metric.better} is better; ratio = client ÷ ${versus}, same round)`,
    )
    lines.push('')
    const format = (value) => formatValue(value, metric.unit)
    lines.push(
      table(
        ['client', 'median', 'min–max', '× ref (median)', '× ref (min–max)', 'rounds'],
        clients.map((client) => {
          const entry = client.metrics[metric.id]
          if (entry === undefined || entry.median === null) {
            const what = entry?.notMeasured ? '–' : entry?.unsupported ? 'unsupported' : 'error'
            return [client.label, what, '', '', '', '0']
          }
          return [
            client.label,
            format(entry.median),
            range(entry, format),
            formatRatio(entry.ratio?.median),
            entry.ratio ? `${formatRatio(entry.ratio.min)}–${formatRatio(entry.ratio.max)}` : 'n/a',
            String(entry.rounds),
          ]
        }),
      ),
    )
  }
  return lines
}

/** A column's ratio that is not to the reference: `; × own <metric>`. */
function ownRatio(metrics, metric) {
  if (metric.relativeTo === undefined) return ''
  return `; × own ${metrics.find((other) => other.id === metric.relativeTo)?.label}`
}

function machineLine(meta) {
  const m = meta.machine
  return [
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}`,
    `- Node ${m.node} (bundled undici ${m.bundledUndici}, used by the global fetch)`,
    `- Load average (1/5/15 min) at start ${m.loadAverage.join(' / ')}, at end ${meta.loadAverageAtEnd.join(' / ')}`,
  ]
}

export function renderMarkdown(results) {
  const { meta } = results
  const notes = footnotes()
  const lines = []
  lines.push('# SSE client benchmark')
  lines.push('')
  lines.push(`${meta.date}, ${meta.mode} mode, ${meta.durationSeconds} s.`)
  lines.push('')
  lines.push(...machineLine(meta))
  lines.push(
    `- ${meta.reps} round(s); idle memory in ${meta.idleReps} round(s) at ${meta.idleConnections.toLocaleString('en-US')} connections; every measurement in a fresh process; client order rotates each round`,
  )
  for (const note of meta.notes) lines.push(`- ${note}`)
  lines.push('')
  lines.push(
    `Each cell: the median over the rounds · the median of the per-round ratios to the **${meta.referenceLabel}** measured in the same round (so 0.5× is half its events/s, or half its latency). Methodology and caveats: bench/README.md.`,
  )
  lines.push('')
  lines.push('## Node.js')
  lines.push('')
  lines.push(...clientTables(results, notes, meta.referenceLabel))
  if (results.browser) {
    lines.push('')
    lines.push(...renderBrowser(results.browser, notes))
  }
  const rendered = notes.render()
  if (rendered.length > 0) {
    lines.push('')
    lines.push('## Notes')
    lines.push('')
    lines.push(...rendered)
  }
  lines.push('')
  return lines.join('\n')
}

/**
 * The browser section. Printed alone (`node bench/browser.mjs`), it carries its own notes; inside
 * the full report, it shares the report's numbered notes.
 */
export function renderBrowser(browser, shared) {
  const notes = shared ?? footnotes()
  const lines = ['## Browser (Chromium)', '']
  if (browser.skipped) {
    lines.push(`Skipped: ${browser.skipped}`)
    return lines
  }
  lines.push(
    `${browser.chromium}; page cross-origin isolated: ${browser.crossOriginIsolated}; ${browser.reps} round(s), a fresh Chromium per client and round, launched without DevTools. Ratios are to the **native EventSource** in the same round.`,
  )
  if (browser.clock) {
    const c = browser.clock
    const ms = (value) => `${value.toFixed(3)} ms`
    lines.push('')
    lines.push(
      `Latency clock: the server stamps each event with \`performance.timeOrigin + performance.now()\` and the page subtracts it from its own. Check: \`/clock\` round trips (median ${ms(c.roundTripMedian)}) put the page's clock at ${ms(c.offsetMedian)} from the server's (median; largest ${ms(c.offsetMaxAbs)}), which is within what those round trips can resolve; smallest latency sample: ${ms(c.smallestLatency)}.`,
    )
  }
  lines.push('')
  lines.push(...clientTables(browser, notes, 'native EventSource'))
  if (shared === undefined && notes.render().length > 0)
    lines.push('', '### Notes', '', ...notes.render())
  return lines
}
