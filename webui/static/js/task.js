// The task page's process diagram: folded on a phone (the steps above come first), and when open scrolled so
// the current step is in view rather than the empty lanes at its left; printed open.
const diagram = document.getElementById("process-diagram");
if (diagram) {
  const scroller = diagram.querySelector(".diagram-scroll");
  const showCurrentStep = () => {
    const current = scroller.querySelector(".state-current");
    if (!diagram.open || !current) return;
    const step = current.getBoundingClientRect();
    const view = scroller.getBoundingClientRect();
    scroller.scrollLeft += step.left - view.left - (view.width - step.width) / 2;
    scroller.scrollTop += step.top - view.top - (view.height - step.height) / 2;
  };
  if (window.matchMedia("(max-width: 576px)").matches) diagram.open = false;
  diagram.addEventListener("toggle", showCurrentStep);
  window.addEventListener("beforeprint", () => { diagram.open = true; });
  showCurrentStep();
}
