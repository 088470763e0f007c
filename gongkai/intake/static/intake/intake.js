// Progressive enhancement for the public application pages; everything works without it.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) summary.focus();

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Show only the applicant group that applies once a type is chosen.
  var person = document.getElementById("group-person");
  var org = document.getElementById("group-org");
  var radios = document.querySelectorAll('input[name="applicant_type"]');
  function update() {
    var chosen = document.querySelector('input[name="applicant_type"]:checked');
    if (!person || !org) return;
    person.hidden = !!chosen && chosen.value !== "natural_person";
    org.hidden = !!chosen && chosen.value === "natural_person";
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
