// The live channel of every preview page: on each new snapshot version, fetch this page's
// main part again and swap it in (no reload).  Served as /live.js.
(function () {
  var live = document.getElementById("live");
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var url = location.pathname + "?part=main";
    fetch(url, {cache: "no-store"}).then(function (r) {
      return r.text().then(function (text) { return {status: r.status, text: text}; });
    }).then(function (r) {
      var main = document.getElementById("main");
      var holder = document.createElement("div");
      holder.innerHTML = r.text;
      var fresh = holder.querySelector("#main-part");
      if (fresh) {
        main.innerHTML = fresh.innerHTML;
        main.dataset.version = fresh.dataset.version;
        if (fresh.dataset.title) document.title = fresh.dataset.title + " · sheetgen 预览";
      }
    }).catch(function () {}).then(function () {
      busy = false;
      if (again) { again = false; refresh(); }
    });
  }
  if (!window.EventSource) { live.textContent = "浏览器不支持自动更新，请手动刷新"; return; }
  var source = new EventSource("/events");
  source.onopen = function () { live.textContent = "实时更新"; live.className = "live on"; };
  source.onerror = function () { live.textContent = "与 sheetgen serve 的连接断开，正在重连…"; live.className = "live off"; };
  source.onmessage = function (event) {
    if (event.data !== document.getElementById("main").dataset.version) refresh();
  };
})();
