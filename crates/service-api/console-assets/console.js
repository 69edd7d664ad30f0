// The console's own script, beside htmx. When a live panel is swapped in and the button that
// had the keyboard's focus went with it (Call next becomes Start), the focus goes on to the
// panel's main action instead of back to the top of the page.
document.addEventListener("htmx:after:settle", (event) => {
  const panel = event.target;
  if (panel instanceof Element && panel.matches("[hx-sse\\:connect]") && !panel.contains(document.activeElement)
      && (document.activeElement === document.body || document.activeElement === null)) {
    panel.querySelector("button.primary")?.focus();
  }
});
