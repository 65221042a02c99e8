// procalg's stepper in a notebook cell (see procalg/notebook/stepper.py): the page
// carries the explored states as JSON; this script walks them in the browser.
function procalgStepper(root) {
  if (!root || root.dataset.started) { return; }
  root.dataset.started = "1";
  const data = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
  const offers = root.querySelector(".procalg-offers");
  const back = root.querySelector(".procalg-back");
  const traceBox = root.querySelector(".procalg-trace");
  const termBox = root.querySelector(".procalg-term");
  const note = root.querySelector(".procalg-note");
  const path = [0];
  const trace = [];

  function highlight(state) {
    root.querySelectorAll("g.node").forEach(function (node) {
      const title = node.querySelector("title");
      const here = title && title.textContent === "s" + state;
      node.classList.toggle("procalg-current", here);
      node.querySelectorAll("ellipse, polygon").forEach(function (shape) {
        if (shape.dataset.fill === undefined) { shape.dataset.fill = shape.getAttribute("fill") || "none"; }
        shape.setAttribute("fill", here ? "#9ec5fe" : shape.dataset.fill);
      });
    });
  }

  function render() {
    const state = path[path.length - 1];
    const moves = data.moves[state];
    offers.replaceChildren();
    moves.forEach(function (move) {
      const button = document.createElement("button");
      button.textContent = move[0];
      button.className = "procalg-offer";
      button.style.marginRight = "4px";
      if (move[1] < 0) {
        button.disabled = true;
        button.title = "beyond the states embedded here: procalg step explores without a bound";
      } else {
        button.addEventListener("click", function () {
          path.push(move[1]);
          trace.push(move[0]);
          render();
        });
      }
      offers.appendChild(button);
    });
    back.disabled = trace.length === 0;
    traceBox.textContent = trace.length ? trace.join(", ") : "(the empty trace)";
    termBox.textContent = data.terms[state];
    let text = "";
    if (moves.length === 0) {
      text = trace[trace.length - 1] === "✓" ? "terminated (after ✓)"
        : "stuck: nothing is offered (a deadlock)";
    } else if (moves.some(function (m) { return m[1] < 0; })) {
      text = "greyed events lead beyond the " + data.terms.length
        + " states embedded; run procalg step to go on";
    }
    note.textContent = text;
    highlight(state);
  }

  back.addEventListener("click", function () {
    if (trace.length) { path.pop(); trace.pop(); render(); }
  });
  render();
}
