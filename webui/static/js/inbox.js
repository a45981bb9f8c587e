// The inbox's "choose all" box ticks every item of the page for a batch decision.
const chooseAll = document.getElementById("choose-all");
if (chooseAll) {
  chooseAll.addEventListener("change", () => {
    document.querySelectorAll("input[name=work_id]").forEach((box) => { box.checked = chooseAll.checked; });
  });
}
