// Intake: tapping "woman alone" also picks "women", tapping "minor" also ticks "Minors":
// one tap instead of two and no refusal to correct in the dark. The server still checks both.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (input.name !== "vulnerable_why" || !input.form || !input.form.hasAttribute("data-intake")) return;
  var other = null;
  if (input.value === "woman") other = input.form.querySelector("input[name=gender][value=f]");
  if (input.value === "minor") other = input.form.querySelector("input[name=minor]");
  if (other) other.checked = true;
});
