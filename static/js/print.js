// « Imprimer » buttons (data-print): the browser's print dialog, which a tablet does not show in
// plain sight. Without JavaScript the buttons stay hidden (CSS: only under html.js) and the page
// says to use the browser's own command.
document.documentElement.classList.add("js");
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
