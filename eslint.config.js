// ESLint (flat config) for the web dashboard: plain ES modules run by the browser as they are,
// no build step, so what is linted is what is served. `npm run lint`, or the suite's
// tests/controlplane/api/test_dashboard_lint.py. Versions are pinned in package.json and
// package-lock.json; scripts/setup installs them when npm is present.

import js from "@eslint/js";
import globals from "globals";

export default [
  {
    files: ["controlplane/api/static/**/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: globals.browser,
    },
    linterOptions: {
      reportUnusedDisableDirectives: "error",
    },
    rules: {
      ...js.configs.recommended.rules,
      // The page builds DOM nodes from API data and never parses it as HTML.
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Build nodes with h()/s() from dom.js instead." },
        { property: "outerHTML", message: "Build nodes with h()/s() from dom.js instead." },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.property.name='insertAdjacentHTML']",
          message: "Build nodes with h()/s() from dom.js instead.",
        },
      ],
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "eqeqeq": ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      "no-shadow": "error",
      "no-use-before-define": ["error", { functions: false }],
    },
  },
];
