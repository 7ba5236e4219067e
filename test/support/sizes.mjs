// The size budgets, min+gzip (zlib level 9, licence comments included), in bytes: what each
// shipped file may weigh. test/bundle.test.ts gates them; `npm run size` prints them
// (size-report.mjs); README "Size" gives the figures and the headroom. The modern files are
// measured minified by esbuild, as a bundler would ship them; the `<script>` bundles as rollup
// wrote them.
export const sizes = [
  { name: 'full tier, modern', file: 'index.js', minify: true, budget: 8000 },
  {
    name: 'full tier, legacy ES5',
    file: 'eventsource.legacy.min.js',
    minify: false,
    budget: 11000,
  },
  { name: 'W3C-only tier, modern', file: 'standard.js', minify: true, budget: 3400 },
  {
    name: 'W3C-only tier, legacy ES5',
    file: 'eventsource.standard.legacy.min.js',
    minify: false,
    budget: 5000,
  },
]
