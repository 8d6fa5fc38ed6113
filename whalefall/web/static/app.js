// The console's light layer: confirm before destructive buttons, and "/" jumps to the page's first filter.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const tag = (document.activeElement && document.activeElement.tagName) || "";
  if (["INPUT", "TEXTAREA", "SELECT"].includes(tag)) return;
  const target = document.querySelector("[data-search], .filters input, .filters select");
  if (target) {
    event.preventDefault();
    target.focus();
  }
});
