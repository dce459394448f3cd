/*
 * Loaded on pages with embedded ipywidgets, before require.js and the
 * widget manager (see nb_ipywidgets_js in _config.yml). Two adjustments so
 * that the vendored @jupyter-widgets/html-manager works offline with
 * MathJax 3:
 *
 * 1. require.js configuration. The manager's AMD modules compute the URL of
 *    their fonts from their module ids ("@jupyter-widgets/..."), which
 *    require.js would resolve against the page's folder. Map the ids to the
 *    folder the files are served from, next to this script.
 * 2. The widgets typeset their labels with the MathJax 2 call
 *    MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); MathJax 3 has no
 *    Hub. Provide that call on top of MathJax 3's typesetPromise.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var vendor = new URL("vendor/html-manager", script.src).href;

  window.require = {
    paths: {
      "@jupyter-widgets/html-manager/dist": vendor,
      "@jupyter-widgets": vendor,
    },
  };

  var config = window.MathJax;
  if (config === undefined) {
    return; // no math on this page: the widgets skip typesetting
  }
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    if (ready) {
      ready();
    } else {
      window.MathJax.startup.defaultReady();
    }
    var mathjax = window.MathJax;
    mathjax.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (command) {
          if (Array.isArray(command) && command[0] === "Typeset") {
            var element = command[2];
            mathjax.startup.promise.then(function () {
              return mathjax.typesetPromise(element ? [element] : undefined);
            });
          }
        });
      },
    };
  };
})();
