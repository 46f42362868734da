// The admin's export page: the "select all" box ticks or clears every field. The package binds
// it with an inline onchange, which the CSP refuses; its own handler is reused here.
document.addEventListener("change", (event) => {
  if (event.target.matches(".select-toggle") && typeof onSelectToggleChange === "function") {
    onSelectToggleChange(event);
  }
});
