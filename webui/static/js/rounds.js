// The round selector shows the chosen round as soon as it is picked (its button stays for a browser without scripts).
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
