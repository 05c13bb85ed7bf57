// The print button of the booking confirmation (no inline scripts: the page's CSP forbids them).
"use strict";
for (const button of document.querySelectorAll("button[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
