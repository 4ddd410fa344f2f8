/*
 * cnn-course-rise-widgets: lets ipywidgets (and so ipympl figures) load in jupyterlab-rise's slideshow.
 *
 * Why. jupyterlab-rise 0.43 serves the deck (/rise/<notebook>) as its own small application, built
 * without the package @jupyterlab/console. The widget manager of ipywidgets 8 imports that package for
 * a single optional token (IConsoleTracker), so on the deck page it fails to load, and every widget
 * shows as text such as "IntSlider(value=0)" (upstream: jupyterlab-contrib/rise#119, still open).
 *
 * What. A prebuilt JupyterLab extension with no plugins. When a page starts, JupyterLab hands each
 * extension the table of shared packages ("share scope"). On a page whose table has no
 * @jupyterlab/console, this one adds a stand-in that holds the IConsoleTracker token and nothing else;
 * no plugin provides that token there, so the manager runs without console support, as the deck needs.
 * JupyterLab's own page has the real package, and this file leaves it alone.
 *
 * Where. JupyterLab finds it in share/jupyter/labextensions/cnn-course-rise-widgets (pip's editable
 * install leaves data files out, so set-up copies this folder there). tests/test_deck.py checks that
 * widgets work in the deck. Remove this folder when jupyterlab-rise provides @jupyterlab/console itself.
 */
var _JUPYTERLAB = (window._JUPYTERLAB = window._JUPYTERLAB || {});
_JUPYTERLAB["cnn-course-rise-widgets"] = {
  init: function (scope) {
    if (scope["@jupyterlab/console"]) {
      return;
    }
    var standIn = { IConsoleTracker: { name: "@jupyterlab/console:IConsoleTracker" } };
    var factory = function () { return standIn; };
    scope["@jupyterlab/console"] = {
      "0.0.0": {
        version: "0.0.0", from: "cnn-course-rise-widgets", eager: false, loaded: true, lib: factory,
        get: function () { return Promise.resolve(factory); },
        shareConfig: { singleton: true, requiredVersion: false, strictVersion: false, eager: false },
        scope: ["default"], useIn: [], strategy: "version-first"
      }
    };
  },
  get: function () {
    return Promise.resolve(function () { return { __esModule: true, default: [] }; });
  }
};
