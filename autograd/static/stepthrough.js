// chainrule's step-through: steps a recorded forward and backward pass across its picture.
//
// The page holds everything: the graph as SVG (drawn once, by Graphviz) and the record of
// the pass as JSON (written by autograd/stepthrough.py). This script only changes texts
// and classes, so the layout never moves. Graphviz names each drawn element in a <title>:
// a Value is "v<k>" (k: its place in topological order), its operation "v<k>_op", an edge
// "tail->head"; a Value's gradient is the text that begins with "grad ".
//
// Position 0 is before the pass; positions 1..F compute the F values one by one (forward);
// positions F+1..F+S take the S chain-rule steps (backward).

(function () {
  "use strict";

  // Everything Graphviz drew, by the name in its <title>: nodes and edges (several edges
  // can share a name, when a Value is used twice by one operation).
  function indexFigure(figure) {
    var byName = {};
    if (!figure) return byName;
    figure.querySelectorAll("g.node, g.edge").forEach(function (g) {
      var title = g.querySelector(":scope > title");
      if (!title) return;
      var name = title.textContent;
      (byName[name] = byName[name] || []).push(g);
    });
    return byName;
  }

  // A name cut into the terms a line may break between: "(target_o2 − out_o2)²" is
  // "(target_o2" and "− out_o2)²" (an operator stays with the operand after it).
  function terms(name) {
    var out = [];
    name.split(" ").forEach(function (word) {
      var previous = out[out.length - 1];
      if (previous !== undefined && /^[−+×·*\/=-]$/.test(previous)) {
        out[out.length - 1] = previous + " " + word;
      } else {
        out.push(word);
      }
    });
    return out;
  }

  // The <text> elements of a drawn element whose text begins with prefix ("grad ", "data ").
  function textsStarting(elements, prefix) {
    var found = [];
    (elements || []).forEach(function (g) {
      g.querySelectorAll("text").forEach(function (text) {
        if (text.textContent.indexOf(prefix) === 0) found.push(text);
      });
    });
    return found;
  }

  function setUp(main) {
    var record = JSON.parse(main.querySelector("script.st-data").textContent);
    var values = record.values;
    var nForward = record.forward.length;
    var nBackward = record.backward.length;
    var last = nForward + nBackward;
    var position = 0;

    var slider = main.querySelector(".st-slider");
    var text = main.querySelector(".st-text");
    var counter = main.querySelector(".st-counter");
    var buttons = {};
    main.querySelectorAll("[data-go]").forEach(function (button) {
      buttons[button.getAttribute("data-go")] = button;
    });
    var pane = main.querySelector(".st-pane");
    var graphFigure = main.querySelector('.st-figure[data-view="graph"]');
    var networkFigure = main.querySelector('.st-figure[data-view="network"]');
    var graph = indexFigure(graphFigure);
    var network = indexFigure(networkFigure);

    // Per value: its drawn node and operation, the edges into it, its data and grad texts.
    var drawn = values.map(function (value) {
      var ownEdges = (graph[value.id + "_op->" + value.id] || []).slice();
      value.inputs.forEach(function (k, i) {
        var name = values[k].id + "->" + value.id + "_op";
        if (value.inputs.indexOf(k) === i) ownEdges = ownEdges.concat(graph[name] || []);
      });
      var nodes = (graph[value.id] || []).concat(graph[value.id + "_op"] || []);
      var dataTexts = textsStarting(graph[value.id], "data ");
      // A number folded into operations ("× 0.5", "target_o1 − x") has no box: it is
      // shown by the operation nodes it is written into.
      var writtenIn = [];
      value.foldedInto.forEach(function (k) {
        writtenIn = writtenIn.concat(graph[values[k].id + "_op"] || []);
      });
      return {
        node: graph[value.id] || [],
        writtenIn: writtenIn,
        op: graph[value.id + "_op"] || [],
        all: nodes.concat(ownEdges),
        data: dataTexts,
        dataShown: dataTexts.map(function (t) { return t.textContent; }),
        grad: textsStarting(graph[value.id], "grad "),
      };
    });
    // The network view: each parameter's drawn element and its grad texts, by value place.
    var parameters = [];
    Object.keys(record.network || {}).forEach(function (name) {
      parameters.push({
        place: record.network[name],
        elements: network[name] || [],
        grad: textsStarting(network[name], "grad "),
      });
    });

    // The table of gradients found so far: one row per value, shown once it has a share.
    var table = main.querySelector(".st-found .st-scroll");
    var tbody = table.querySelector("tbody");
    var rows = {};
    record.found.forEach(function (k) {
      var row = document.createElement("tr");
      var name = document.createElement("th");
      name.scope = "row";
      terms(values[k].name).forEach(function (term, i) {
        var span = document.createElement("span");
        span.className = "st-term";
        span.textContent = term;
        if (i > 0) name.appendChild(document.createTextNode(" "));
        name.appendChild(span);
      });
      var grad = document.createElement("td");
      row.appendChild(name);
      row.appendChild(grad);
      row.hidden = true;
      tbody.appendChild(row);
      rows[k] = { row: row, grad: grad };
    });

    slider.max = String(last);
    var marked = []; // [element, class] pairs set for the current position

    function mark(elements, name) {
      elements.forEach(function (element) {
        element.classList.add(name);
        marked.push([element, name]);
      });
    }

    function edgesNamed(name) {
      return graph[name] || [];
    }

    // Every value's gradient after `taken` backward steps: text, exact figure, and whether
    // shares are still to come; null where none has arrived yet.
    function gradientsAfter(taken) {
      var grads = values.map(function () { return null; });
      if (taken === 0) return grads;
      var rootPlace = record.rootPlace;
      grads[rootPlace] = { text: record.rootGrad, exact: record.rootExact, partial: false };
      var counts = values.map(function () { return 0; });
      for (var j = 0; j < taken; j++) {
        var step = record.backward[j];
        counts[step.input] += 1;
        grads[step.input] = {
          text: step.grad,
          exact: step.exact,
          partial: counts[step.input] < record.parts[step.input],
        };
      }
      return grads;
    }

    function show(where) {
      position = Math.max(0, Math.min(last, where));
      marked.forEach(function (pair) { pair[0].classList.remove(pair[1]); });
      marked = [];
      var computed = Math.min(position, nForward); // forward steps taken so far
      var taken = Math.max(0, position - nForward); // backward steps taken so far
      var grads = gradientsAfter(taken);
      var known = values.map(function () { return false; }); // which values are computed
      record.forward.slice(0, computed).forEach(function (step) { known[step.node] = true; });

      values.forEach(function (value, k) {
        var parts = drawn[k];
        if (!known[k]) mark(parts.all, "st-pending");
        parts.data.forEach(function (t, i) {
          t.textContent = known[k] ? parts.dataShown[i] : "data ?";
        });
        var grad = grads[k];
        parts.grad.forEach(function (t) {
          t.textContent = "grad " + (grad ? grad.text : "?");
          if (grad && grad.partial) mark([t], "st-partial");
        });
        var row = rows[k];
        if (row) {
          row.row.hidden = !grad;
          row.grad.textContent = grad ? grad.exact : "";
          if (grad && grad.partial) mark([row.row], "st-partial");
        }
      });
      parameters.forEach(function (parameter) {
        var grad = grads[parameter.place];
        parameter.grad.forEach(function (t) {
          t.textContent = "grad " + (grad ? grad.text : "?");
          if (grad && grad.partial) mark([t], "st-partial");
        });
      });

      var focus = [];
      if (taken > 0) {
        var step = record.backward[taken - 1];
        var from = values[step.node];
        var to = values[step.input];
        var receiving = drawn[step.input].node;
        var passing = drawn[step.node].node.concat(drawn[step.node].op);
        if (!receiving.length && values[step.input].foldedInto.indexOf(step.node) >= 0) {
          // A folded number receives its share inside the operation it is written into.
          receiving = drawn[step.node].op;
          passing = drawn[step.node].node;
        }
        mark(passing, "st-passing");
        mark(edgesNamed(from.id + "_op->" + from.id), "st-passing");
        mark(receiving, "st-receiving");
        var edge = edgesNamed(to.id + "->" + from.id + "_op")[step.edge];
        if (edge) mark([edge], "st-edge");
        if (rows[step.input]) mark([rows[step.input].row], "st-current");
        parameters.forEach(function (parameter) {
          if (parameter.place === step.input) mark(parameter.elements, "st-receiving");
        });
        focus = receiving.concat(passing);
        say(record.backward[taken - 1].text);
      } else if (computed > 0) {
        var now = record.forward[computed - 1];
        var nowParts = drawn[now.node];
        var computing = nowParts.all.length ? nowParts.all : nowParts.writtenIn;
        // A folded number shows in full in its operation node, which is still to come.
        computing.forEach(function (g) { g.classList.remove("st-pending"); });
        mark(computing, "st-computing");
        focus = computing;
        say(now.text);
      } else {
        say(record.start);
      }

      slider.value = String(position);
      var phase = position === 0 ? "start" : taken > 0 ? "backward" : "forward";
      slider.setAttribute("aria-valuetext", position + " of " + last + ", " + phase);
      counter.textContent = position + " / " + last;
      buttons.first.disabled = buttons.previous.disabled = position === 0;
      buttons.next.disabled = buttons.last.disabled = position === last;
      keepInView(pane, focus);
      var current = tbody.querySelector("tr.st-current");
      if (current) keepInView(table, [current]);
    }

    // The step's text, "Backward step 3 of 4: dq/dx = ...", with its first part in bold.
    // The element is aria-live: a screen reader reads each step as it is shown.
    function say(sentence) {
      if (quiet) return;
      var split = sentence.indexOf(": ");
      var where = document.createElement("strong");
      where.textContent = sentence.slice(0, split + 1);
      text.replaceChildren(where, document.createTextNode(sentence.slice(split + 1)));
    }

    // Scroll a pane (never the page around it) so the highlighted elements show.
    function keepInView(pane, elements) {
      if (!elements.length || pane.scrollWidth <= pane.clientWidth &&
          pane.scrollHeight <= pane.clientHeight) return;
      var box = pane.getBoundingClientRect();
      var left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
      elements.forEach(function (element) {
        var r = element.getBoundingClientRect();
        left = Math.min(left, r.left); top = Math.min(top, r.top);
        right = Math.max(right, r.right); bottom = Math.max(bottom, r.bottom);
      });
      var margin = 40;
      if (left < box.left + margin || right > box.right - margin) {
        pane.scrollLeft += (left + right) / 2 - (box.left + box.right) / 2;
      }
      if (top < box.top + margin || bottom > box.bottom - margin) {
        pane.scrollTop += (top + bottom) / 2 - (box.top + box.bottom) / 2;
      }
    }

    // The pictures' size: the reader's text scale (A- and A+) times either the natural
    // size (one SVG unit per pixel) or, with Fit, the pane's size, enlarged by half at most
    // (larger reads as shouting) and never shrunk below READABLE_PX for the smallest text:
    // where the whole picture would be smaller, it stays readable and the pane scrolls to
    // the current step instead.
    // 14 px on a screen; 20 px in a lecture (step_through(lecture=True)), read from afar.
    var READABLE_PX = document.documentElement.classList.contains("st-lecture") ? 20 : 14;
    var SCALES = [0.64, 0.8, 1, 1.25, 1.5, 1.75, 2, 2.5, 3];
    var scaleAt = SCALES.indexOf(1);
    var fitting = true;
    var fit = main.querySelector(".st-fit");
    var smaller = main.querySelector(".st-smaller");
    var larger = main.querySelector(".st-larger");
    var full = main.querySelector(".st-fullscreen");

    function smallestText(svg) {
      var smallest = Infinity;
      svg.querySelectorAll("text").forEach(function (t) {
        var px = parseFloat(t.getAttribute("font-size"));
        if (px > 0) smallest = Math.min(smallest, px);
      });
      return isFinite(smallest) ? smallest : READABLE_PX;
    }

    function size() {
      var scale = SCALES[scaleAt];
      fit.setAttribute("aria-pressed", String(fitting));
      smaller.disabled = scaleAt === 0;
      larger.disabled = scaleAt === SCALES.length - 1;
      main.style.setProperty("--scale", String(scale));
      main.querySelectorAll(".st-figure svg").forEach(function (svg) {
        var box = svg.viewBox.baseVal;
        var zoom = scale;
        if (fitting) {
          var room = Math.min((pane.clientWidth - 20) / box.width,
                              (pane.clientHeight - 20) / box.height);
          var readable = READABLE_PX / smallestText(svg);
          zoom = Math.max(Math.min(room, 1.5), readable) * scale;
        }
        // Whole pixels, rounded up: never a hair below the readable size.
        svg.style.width = Math.ceil(box.width * zoom) + "px";
        svg.style.height = Math.ceil(box.height * zoom) + "px";
      });
    }
    function resize(change) {
      change();
      size();
      show(position);
    }
    fit.addEventListener("click", function () {
      resize(function () { fitting = !fitting; });
    });
    smaller.addEventListener("click", function () {
      resize(function () { scaleAt = Math.max(0, scaleAt - 1); });
    });
    larger.addEventListener("click", function () {
      resize(function () { scaleAt = Math.min(SCALES.length - 1, scaleAt + 1); });
    });
    window.addEventListener("resize", function () { resize(function () {}); });

    // Full screen: the whole view, for a projector (hidden where the browser forbids it,
    // as in a notebook's frame without permission).
    full.hidden = !document.fullscreenEnabled || !main.requestFullscreen;
    full.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        main.requestFullscreen().catch(function () { full.hidden = true; });
      }
    });
    document.addEventListener("fullscreenchange", function () {
      full.setAttribute("aria-pressed", String(document.fullscreenElement === main));
      resize(function () {});
    });
    size();

    // Printed: the step shown before the pass and every backward step, one per page, each
    // its sentence and a copy of the picture as it looks at that step.
    var printed = main.querySelector(".st-print");
    var quiet = false;
    function sentence(where) {
      if (where > nForward) return record.backward[where - nForward - 1].text;
      if (where > 0) return record.forward[where - 1].text;
      return record.start;
    }
    function buildPrint() {
      if (printed.childNodes.length) return;
      var keep = position;
      var positions = [0];
      for (var k = nForward + 1; k <= last; k++) positions.push(k);
      quiet = true;
      positions.forEach(function (where) {
        show(where);
        var figure = main.querySelector(".st-figure:not([hidden]) svg");
        var page = document.createElement("section");
        page.className = "st-print-page";
        var words = document.createElement("p");
        words.textContent = sentence(where);
        var picture = figure.cloneNode(true);
        picture.removeAttribute("style");
        page.appendChild(words);
        page.appendChild(picture);
        printed.appendChild(page);
      });
      show(keep);
      quiet = false;
    }
    window.addEventListener("beforeprint", buildPrint);
    window.addEventListener("afterprint", function () { printed.replaceChildren(); });
    if (window.matchMedia) {
      window.matchMedia("print").addEventListener("change", function (event) {
        if (event.matches) buildPrint(); else printed.replaceChildren();
      });
    }

    main.querySelectorAll(".st-view").forEach(function (button) {
      button.addEventListener("click", function () {
        var view = button.getAttribute("data-view");
        main.querySelectorAll(".st-view").forEach(function (other) {
          other.setAttribute("aria-pressed", String(other === button));
        });
        main.querySelectorAll(".st-figure").forEach(function (figure) {
          figure.hidden = figure.getAttribute("data-view") !== view;
        });
        show(position);
      });
    });

    var moves = {
      first: function () { return 0; },
      previous: function () { return position - 1; },
      next: function () { return position + 1; },
      last: function () { return last; },
    };
    Object.keys(moves).forEach(function (name) {
      buttons[name].addEventListener("click", function () { show(moves[name]()); });
    });
    slider.addEventListener("input", function () { show(Number(slider.value)); });

    var keys = { ArrowRight: "next", ArrowLeft: "previous", Home: "first", End: "last" };
    var display = { "+": larger, "=": larger, "-": smaller, "0": fit, f: full, F: full };
    function onKey(event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var button = display[event.key];
      if (button) {
        if (!button.hidden && !button.disabled) button.click();
        event.preventDefault();
        return;
      }
      var move = keys[event.key];
      // The slider moves itself with these keys (and reports it as "input").
      if (!move || event.target === slider) return;
      event.preventDefault();
      show(moves[move]());
    }
    show(0);
    return onKey;
  }

  var views = document.querySelectorAll(".chainrule-stepthrough");
  var handlers = Array.prototype.map.call(views, setUp);
  // One view on the page (a saved page, or one inside a notebook's frame): the arrow keys
  // work wherever the focus is. Several: each listens only while it has the focus.
  if (handlers.length === 1) {
    document.addEventListener("keydown", handlers[0]);
  } else {
    views.forEach(function (view, k) { view.addEventListener("keydown", handlers[k]); });
  }
})();
