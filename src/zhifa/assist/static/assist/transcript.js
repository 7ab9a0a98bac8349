// A segment's time seeks the player on the page instead of opening the file.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a.seek");
  var player = document.getElementById("transcript-player");
  if (!link || !player) return;
  event.preventDefault();
  player.currentTime = parseFloat(link.dataset.start) || 0;
  player.play();
  history.replaceState(null, "", "?t=" + link.dataset.start + "#" + link.closest("tr").id);
});
