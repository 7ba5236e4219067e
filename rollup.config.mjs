// The legacy `<script>` bundles, ES5 IIFEs for browsers without fetch streams (the
// XMLHttpRequest transport takes over there): src/entries/legacy.ts (the full class) →
// dist/eventsource.legacy.js and .min.js; src/entries/standard-legacy.ts (the W3C-only tier) →
// dist/eventsource.standard.legacy.js and .min.js. esbuild, and so tsup, cannot emit ES5; Babel can.
// Run after tsup (`tsup && rollup -c`): tsup's `clean` empties dist/.
// Gates: test/bundle.test.ts (es-check ES5 + features, acorn, size budgets).
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { babel } from '@rollup/plugin-babel'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import { internalProperties } from './mangle.mjs'

// preset-env's own for-of transform, to give it an option the preset cannot pass (see below).
const fromPresetEnv = createRequire(createRequire(import.meta.url).resolve('@babel/preset-env'))
const transformForOf = fromPresetEnv('@babel/plugin-transform-for-of')

const read = (path) => readFileSync(new URL(path, import.meta.url), 'utf8')
const pkg = JSON.parse(read('./package.json'))
const parserPkg = JSON.parse(read('./node_modules/eventsource-parser/package.json'))

// Both MIT notices in full: this file is served on its own (copied, put on a CDN), without the
// package's LICENSE beside it. LICENSE holds ours first, then (after a `---` line) the parser's.
const ownLicense = read('./LICENSE').split(/^---$/m)[0].trim()
const banner = (what) => `/*! isomorphic-eventsource ${pkg.version} (${what})
${ownLicense}

Bundles eventsource-parser ${parserPkg.version}:
${read('./node_modules/eventsource-parser/LICENSE').trim()}
*/`

// What the global object is called inside the bundle (see `globalThisToLocal`).
const GLOBAL = '__isomorphicEventSourceGlobal'

// The prelude: hand-written ES5 that runs inside the IIFE before any module. It holds only what
// the code needs and ES5 browsers (IE 11) lack; `es-check --checkFeatures` in test/bundle.test.ts
// finds new needs. Nothing here replaces what the browser has.
const prelude = `
var ${GLOBAL} = typeof self !== 'undefined' ? self : typeof window !== 'undefined' ? window : typeof global !== 'undefined' ? global : {};
(function () {
  function shim(proto, name, value) {
    if (!proto[name]) Object.defineProperty(proto, name, { value: value, writable: true, configurable: true });
  }
  // eventsource-parser checks id values for NUL with String.prototype.includes.
  shim(String.prototype, 'includes', function (search, start) {
    return String.prototype.indexOf.call(this, search, start) !== -1;
  });
  // es-check cannot tell the two includes apart, so an Array one that src may gain is covered.
  shim(Array.prototype, 'includes', function (value) {
    for (var i = 0; i < this.length; i++) {
      if (this[i] === value || (value !== value && this[i] !== this[i])) return true;
    }
    return false;
  });
})();
`

// src/ imports siblings as './x.js' (NodeNext style); the files are './x.ts'. The platform
// (`#platform`) comes from package.json `imports` under the `legacy` condition (below).
const tsFromJs = {
  name: 'ts-from-js',
  async resolveId(source, importer, options) {
    if (!importer?.endsWith('.ts') || !/^\.\.?\/.*\.js$/.test(source)) return null
    return this.resolve(source.replace(/\.js$/, '.ts'), importer, { ...options, skipSelf: true })
  },
}

// A bare `globalThis` is a ReferenceError where it is missing (IE 11, Safari < 12.1, Chrome < 71,
// Firefox < 65), so free references become the prelude's variable. A global `globalThis` shim
// would work too, but would change the page for everyone.
function globalThisToLocal({ types: t }) {
  return {
    name: 'global-this-to-local',
    visitor: {
      Identifier(path) {
        if (
          path.node.name === 'globalThis' &&
          path.isReferencedIdentifier() &&
          !path.scope.hasBinding('globalThis', true)
        ) {
          path.replaceWith(t.identifier(GLOBAL))
        }
      },
    },
  }
}

// Private members (`#name` of class `C`) become properties named `C_name_` (the class name keeps
// a subclass's names apart from its base's, which share one object), which terser renames to short names
// (`mangle.properties` below). Babel's own lowering keeps them private with helpers
// (`_classPrivateFieldLooseBase(this, _name)[_name]` on every access, each key built from its
// name as a string), the largest cost of lowering the code to ES5. Instances of EventSource (and
// of its IE 11 stand-in base) reach users: there the properties are then made non-enumerable, as
// Babel's lowering left them, so that Object.keys, for-in and JSON.stringify see nothing new.
// Either way they stay out of reach of code that does not reflect on the object.
const PRIVATE_TO_PROPERTIES = new Set([
  'Connection',
  'ExtendedConnection',
  'EventSource',
  'EventTargetShim',
])
const USER_HELD = new Set(['EventSource', 'EventTargetShim'])

function privateNamesToProperties({ types: t }) {
  let owner = ''
  const key = (name) => t.identifier(`${owner}_${name}_`)
  const rename = {
    ClassPrivateProperty(path) {
      const { node } = path
      path.replaceWith(
        t.classProperty(key(node.key.id.name), node.value, null, null, false, node.static),
      )
    },
    ClassPrivateMethod(path) {
      const { node } = path
      path.replaceWith(
        t.classMethod(node.kind, key(node.key.id.name), node.params, node.body, false, node.static),
      )
    },
    'MemberExpression|OptionalMemberExpression'(path) {
      const { property } = path.node
      if (t.isPrivateName(property)) path.node.property = key(property.id.name)
    },
    PrivateName(path) {
      throw path.buildCodeFrameError('private name in a position this plugin does not rename')
    },
    // A nested class keeps its own private names.
    Class(path) {
      path.skip()
    },
  }
  // `Object.defineProperties(target, { name_: { enumerable: false }, … })`.
  const hide = (target, names) =>
    t.expressionStatement(
      t.callExpression(
        t.memberExpression(t.identifier('Object'), t.identifier('defineProperties')),
        [
          target,
          t.objectExpression(
            names.map((name) =>
              t.objectProperty(
                key(name),
                t.objectExpression([
                  t.objectProperty(t.identifier('enumerable'), t.booleanLiteral(false)),
                ]),
              ),
            ),
          ),
        ],
      ),
    )
  return {
    name: 'private-names-to-properties',
    visitor: {
      // Before the class transforms run on it (plugins' visitors run before presets').
      Class(path) {
        const { node } = path
        const name = node.id?.name
        if (!PRIVATE_TO_PROPERTIES.has(name)) return
        owner = name
        const members = node.body.body
        const privateNames = (type) =>
          members.filter((m) => m.type === type && !m.static).map((m) => m.key.id.name)
        const fields = privateNames('ClassPrivateProperty')
        const methods = privateNames('ClassPrivateMethod')
        path.traverse(rename)
        if (!USER_HELD.has(name)) return
        if (fields.length > 0) {
          // Fields: at the end of the constructor, when they all exist.
          let ctor = members.find((m) => m.kind === 'constructor')
          if (ctor === undefined) {
            if (node.superClass) throw path.buildCodeFrameError('add a constructor')
            ctor = t.classMethod(
              'constructor',
              t.identifier('constructor'),
              [],
              t.blockStatement([]),
            )
            members.unshift(ctor)
          }
          if (ctor.body.body.some((statement) => statement.type === 'ReturnStatement'))
            throw path.buildCodeFrameError('a constructor that returns early')
          ctor.body.body.push(hide(t.thisExpression(), fields))
        }
        if (methods.length > 0) {
          // Methods: on the prototype, once the class exists.
          const prototype = t.memberExpression(t.identifier(name), t.identifier('prototype'))
          const statement = path.parentPath.isExportNamedDeclaration() ? path.parentPath : path
          statement.insertAfter(hide(prototype, methods))
        }
      },
    },
  }
}

/**
 * dist/`name`.d.ts, the types of a bundle's export subpath (`./legacy`, `./standard/legacy`): a
 * script defines globals, so its declaration declares them, typed by the module entry `types`
 * names (the bundle holds the same class).
 */
const declarations = (name, types, what) => ({
  name: 'declarations',
  writeBundle() {
    writeFileSync(
      `dist/${name}.d.ts`,
      `/**
 * The ${what}, a \`<script>\` (not a module): loading it defines \`IsomorphicEventSource\`
 * on the global object, and \`EventSource\` where there is none.
 */
import type { EventSource } from './${types}.js'
declare global {
  var IsomorphicEventSource: typeof EventSource
}
export {}
`,
    )
  },
})

/** One `<script>` bundle: `input` → dist/`name`.js and dist/`name`.min.js (and its .d.ts). */
const bundle = (input, name, what, types) => ({
  input,
  plugins: [
    declarations(name, types, what),
    tsFromJs,
    // `legacy` picks the legacy platform for `#platform` (XMLHttpRequest, event stand-ins, URL
    // without `URL`); eventsource-parser is ESM-only; `browser` picks browser fields where
    // packages have them.
    nodeResolve({ browser: true, exportConditions: ['legacy', 'browser', 'import', 'default'] }),
    babel({
      babelHelpers: 'bundled',
      babelrc: false,
      configFile: false,
      // No `exclude`: eventsource-parser ships ES2018+ syntax, which must be lowered too.
      extensions: ['.ts', '.js', '.mjs'],
      // `loose` assumes every superclass is a compiled class, callable as `Base.call(this)`. The
      // classes here extend `EventTarget`, `Event` and `Error`, chosen at run time and native
      // wherever the platform can construct them, and native constructors throw unless called
      // with `new`. With this assumption off, Babel's `_callSuper` uses `Reflect.construct` where
      // it exists; IE 11 has none, and there the bases are the ES5 stand-ins, which `apply` suits.
      // `loose` also keeps parameters with defaults in the signature, which changes
      // `Function.length` (`EventSource.length` must be 1, as WebIDL has it).
      // What else `loose` assumes holds for this code: methods are assigned to the prototype, not
      // defined (setClassMethods: enumerable, as WebIDL operations are); no class is called
      // without `new` (noClassCalls: calling EventSource so still throws a TypeError, from its
      // base, which the conformance suite checks in old-browser mode); no code replaces a class's
      // prototype (constantSuper); `document.all` never meets `?.` or `??` (noDocumentAll).
      assumptions: { superIsCallableConstructor: false, ignoreFunctionLength: false },
      plugins: [
        privateNamesToProperties,
        globalThisToLocal,
        // Every for-of in src (and in eventsource-parser, which has none) walks an array, so it
        // becomes an index loop, without the iterator helpers (the `types` of `events()` are
        // typed as an array). The preset's `loose` cannot be combined with this option, so the
        // preset leaves for-of to this instance.
        [transformForOf, { assumeArray: true }],
      ],
      // Presets run last to first: TypeScript is stripped before preset-env lowers classes.
      presets: [
        [
          '@babel/preset-env',
          { targets: 'ie 11', loose: true, modules: false, exclude: ['transform-for-of'] },
        ],
        ['@babel/preset-typescript', { allowDeclareFields: true, onlyRemoveTypeImports: true }],
      ],
    }),
  ],
  output: [
    { file: `dist/${name}.js`, format: 'iife', banner: banner(what), intro: prelude },
    {
      file: `dist/${name}.min.js`,
      format: 'iife',
      banner: banner(what),
      intro: prelude,
      // The banner is added after minification, so the licences survive it.
      plugins: [
        terser({
          ecma: 5,
          compress: { passes: 3 },
          // The former private members (see privateNamesToProperties): no other property in the
          // bundle ends in `_` (`__proto__`, in Babel's helpers, starts with one); and the
          // connection's protected members (mangle.mjs).
          mangle: {
            properties: {
              regex: new RegExp(`^[A-Za-z]\\w*_$|${internalProperties.source}`),
            },
          },
          safari10: true,
        }),
      ],
    },
  ],
})

export default [
  bundle('src/entries/legacy.ts', 'eventsource.legacy', 'legacy ES5 bundle', 'index'),
  bundle(
    'src/entries/standard-legacy.ts',
    'eventsource.standard.legacy',
    'W3C-only legacy ES5 bundle',
    'standard',
  ),
]
