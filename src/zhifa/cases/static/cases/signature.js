// On-screen signatures: each [data-signature] block has a canvas; what is drawn
// is kept as a PNG data URL in the block's hidden "drawing" field, so a form
// shown again after an error still carries (and shows) the signature.
(function () {
  "use strict";

  function setupPad(block) {
    var canvas = block.querySelector("canvas.pad");
    var field = block.querySelector("input[name$='drawing']");
    if (!canvas || !field) return;
    var ctx = canvas.getContext("2d");
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    var drawing = false;

    if (field.value) {
      var img = new Image();
      img.onload = function () { ctx.drawImage(img, 0, 0); };
      img.src = field.value;
    }

    function point(e) {
      var r = canvas.getBoundingClientRect();
      return {
        x: (e.clientX - r.left) * (canvas.width / r.width),
        y: (e.clientY - r.top) * (canvas.height / r.height),
      };
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true;
      canvas.setPointerCapture(e.pointerId);
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
    });
    function finish() {
      if (!drawing) return;
      drawing = false;
      field.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    var clear = block.querySelector("[data-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        field.value = "";
      });
    }
  }

  function setupMethods(block) {
    var radios = block.querySelectorAll("input[type=radio][name$='method']");
    function show() {
      var chosen = block.querySelector("input[type=radio][name$='method']:checked");
      var value = chosen ? chosen.value : "";
      block.querySelectorAll("[data-method]").forEach(function (part) {
        part.hidden = part.getAttribute("data-method") !== value;
      });
    }
    radios.forEach(function (r) { r.addEventListener("change", show); });
    show();
  }

  document.querySelectorAll("[data-signature]").forEach(function (block) {
    setupPad(block);
    setupMethods(block);
  });
})();
