// Large files go through the resumable upload API in 8 MiB pieces, so a broken
// connection costs one piece, not the whole file. Without this script (or for
// small files) the form is posted as it is.
(function () {
  "use strict";
  var form = document.getElementById("media-upload");
  if (!form || !window.fetch || !window.Blob) return;
  var CHUNK = 8 * 1024 * 1024, THRESHOLD = 16 * 1024 * 1024, RETRIES = 5;
  var note = document.getElementById("media-upload-progress");
  var token = form.querySelector("[name=csrfmiddlewaretoken]").value;

  function say(text) { note.hidden = false; note.textContent = text; }
  function value(name) { var el = form.elements[name]; return el ? el.value : ""; }
  function call(method, url, body, headers) {
    headers = Object.assign({"X-CSRFToken": token, "Accept": "application/json"}, headers || {});
    return fetch(url, {method: method, body: body, headers: headers, credentials: "same-origin"})
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { j._status = r.status; return j; }); });
  }

  form.addEventListener("submit", function (event) {
    var file = form.elements.file.files[0];
    if (!file || file.size < THRESHOLD) return;
    event.preventDefault();
    var meta = {
      case: Number(form.dataset.case), filename: file.name, size: file.size,
      record: value("record") ? Number(value("record")) : null,
      captured_at: value("captured_at"), place: value("place"), author: value("author"),
      device: value("device"), is_continuous: form.elements.is_continuous.checked,
      interruption: value("interruption"), interruption_reason: value("interruption_reason"),
      production_method: value("production_method"), proves: value("proves"), transcript: value("transcript")
    };
    call("POST", form.dataset.api, JSON.stringify(meta), {"Content-Type": "application/json"}).then(function (s) {
      if (s._status !== 201) throw new Error(s.detail || JSON.stringify(s));
      var url = form.dataset.api + s.id + "/", failures = 0;
      function send(offset) {
        if (offset >= file.size) return call("POST", url + "complete/");
        var end = Math.min(offset + CHUNK, file.size);
        say("正在上传：" + Math.floor(offset * 100 / file.size) + "%");
        return call("PUT", url, file.slice(offset, end), {
          "Content-Type": "application/octet-stream",
          "Content-Range": "bytes " + offset + "-" + (end - 1) + "/" + file.size
        }).then(function (r) {
          if (r._status === 200) { failures = 0; return send(r.offset); }
          if (typeof r.offset === "number" && ++failures <= RETRIES) return send(r.offset);
          throw new Error(r.detail || "上传失败");
        }, function () {
          if (++failures > RETRIES) throw new Error("网络中断，请稍后重新上传。");
          return call("GET", url).then(function (r) { return send(r.offset); });
        });
      }
      return send(0);
    }).then(function (item) {
      if (item._status !== 201) throw new Error(item.detail || "保存失败");
      say("已保存，正在打开……");
      window.location = item.detail_url;
    }).catch(function (e) { say("未保存：" + e.message); });
  });
})();
