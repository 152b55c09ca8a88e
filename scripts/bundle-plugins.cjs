// esbuild plugins for the Lambda bundles: serverless.yml (custom.esbuild.plugins) and bench/cold-start.ts
// (bundleHandler) both use this list, so the bench measures what is deployed.
//
// Each bundles only the half of a library the handlers call (issue 9, section 3: the publish bundle's
// budget). Tests and the CLI import the libraries whole; the code that runs is the same files.
// - xml-js: feed (the RSS writer) calls only js2xml. Its index also loads the XML-to-JS direction, which
//   brings the whole sax parser (about 27 KB minified with xml2js); sax never runs in a handler.
// - js-yaml: front matter only loads YAML (src/read/front-matter.ts: load, CORE_SCHEMA, YAMLException).
//   The package's single ESM file holds the dumper too (about 9 KB minified); its CommonJS sources
//   (lib/, the files that ESM file is built from) are loaded by path, as its exports map names no part.
// - linkify-it: markdown-it constructs one whatever its options, but the `commonmark` preset we read
//   Markdown with (src/read/markdown.ts) turns linkify off, so no method of it is ever called: an inert
//   class stands in (about 11 KB minified). tests/bundle.test.ts reads Markdown through the bundle.
'use strict';
const { dirname, join } = require('node:path');

const yamlLib = join(dirname(require.resolve('js-yaml/package.json')), 'lib');

/** @type {import('esbuild').Plugin} */
const libraryParts = {
  name: 'library-parts',
  setup(build) {
    build.onResolve({ filter: /^(xml-js|js-yaml|linkify-it)$/ }, (args) => ({ path: args.path, namespace: 'library-parts' }));
    build.onLoad({ filter: /.*/, namespace: 'library-parts' }, (args) => {
      if (args.path === 'linkify-it') {
        const inert = 'class LinkifyIt { test() { return false; } pretest() { return false; } testSchemaAt() { return 0; } match() { return null; } matchAtStart() { return null; } tlds() { return this; } add() { return this; } set() { return this; } }';
        return { contents: `${inert}\nmodule.exports = { LinkifyIt, default: LinkifyIt };`, resolveDir: __dirname, loader: 'js' };
      }
      if (args.path === 'xml-js') return { contents: "module.exports = { js2xml: require('xml-js/lib/js2xml') };", resolveDir: __dirname, loader: 'js' };
      const lib = (file) => JSON.stringify(join(yamlLib, file));
      return {
        contents: `module.exports = { load: require(${lib('loader.js')}).load, CORE_SCHEMA: require(${lib('schema/core.js')}), YAMLException: require(${lib('exception.js')}) };`,
        resolveDir: yamlLib,
        loader: 'js',
      };
    });
  },
};

module.exports = [libraryParts];
