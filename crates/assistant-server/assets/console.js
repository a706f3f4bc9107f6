// Agent console: live transcript. Appends messages from the conversation's event stream, tells the
// customer while the agent is typing, and sends replies without reloading. Without this script the
// console still works with plain forms.
"use strict";
(function () {
  const list = document.getElementById("transcript");
  if (!list) return;
  const id = list.dataset.conversation;
  // The stream replays stored messages on connect; skip those the page already shows.
  const key = (at, text) => at + "|" + text;
  const shown = new Set(Array.from(list.children).map((li) =>
    key(li.querySelector("time").textContent.trim(), li.querySelector("p").textContent)));
  const es = new EventSource("/v1/agent/conversations/" + encodeURIComponent(id) + "/events");
  es.addEventListener("message", (ev) => {
    const m = JSON.parse(ev.data);
    if (shown.has(key(m.at, m.text))) return;
    shown.add(key(m.at, m.text));
    const who = m.role.charAt(0).toUpperCase() + m.role.slice(1);
    const li = document.createElement("li");
    const strong = document.createElement("strong");
    strong.textContent = who;
    const time = document.createElement("time");
    time.textContent = m.at;
    const p = document.createElement("p");
    p.textContent = m.text;
    li.append(strong, " ", time, p);
    list.append(li);
  });
  const text = document.getElementById("text");
  if (text) {
    let typing = false;
    let timer;
    const send = (v) => fetch("/v1/agent/conversations/" + encodeURIComponent(id) + "/typing", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ typing: v }),
    });
    text.addEventListener("input", () => {
      if (!typing) { typing = true; send(true); }
      clearTimeout(timer);
      timer = setTimeout(() => { typing = false; send(false); }, 3000);
    });
  }
})();
