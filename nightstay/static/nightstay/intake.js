// Intake: tapping "woman alone" also picks "women", tapping "minor" also ticks "Minors":
// one tap instead of two and no refusal to correct in the dark. The server still checks both.
// Choosing another size than 6+ empties "how many", so nothing hidden can refuse the form.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.form || !input.form.hasAttribute("data-intake")) return;
  if (input.name === "size_choice" && input.value !== "6") {
    var more = input.form.querySelector("input[name=size_more]");
    if (more) more.value = "";
  }
  if (input.name !== "vulnerable_why") return;
  var other = null;
  if (input.value === "woman") other = input.form.querySelector("input[name=gender][value=f]");
  if (input.value === "minor") other = input.form.querySelector("input[name=minor]");
  if (other) other.checked = true;
});

// Registrations that survive a weak signal. Each one is kept on the phone first (IndexedDB,
// encrypted with a key the page can use but never read out), shown with a ticket code from the
// phone's block at once, then sent; it is deleted once the server has it. The key made here
// travels with it, so a retry or a late sync returns the first ticket, never a second party.
// Without IndexedDB or WebCrypto the form posts through htmx as before.
(function () {
  var form = document.querySelector("form[data-new]");
  if (!form || !window.indexedDB || !window.crypto || !crypto.subtle || !window.fetch) return;
  var box = document.querySelector("[data-outbox]");
  var slot = document.querySelector("[data-slot]");
  var night = form.dataset.night;
  var current = null;
  var dirty = false;
  var sending = false;

  if (navigator.serviceWorker) navigator.serviceWorker.register(form.dataset.sw).catch(function () {});

  var dbp = new Promise(function (resolve, reject) {
    var open = indexedDB.open("nightstay-intake", 1);
    open.onupgradeneeded = function () {
      open.result.createObjectStore("keys");
      open.result.createObjectStore("outbox", { keyPath: "key" });
      open.result.createObjectStore("codes", { keyPath: "night" });
    };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });

  // One transaction on one store; ``work`` may return a request whose result is the answer.
  function tx(store, mode, work) {
    return dbp.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var request = work(t.objectStore(store));
        t.oncomplete = function () { resolve(request ? request.result : undefined); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }

  var keyp = tx("keys", "readonly", function (s) { return s.get("aes"); }).then(function (key) {
    if (key) return key;
    return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
      .then(function (made) { return tx("keys", "readwrite", function (s) { s.put(made, "aes"); }).then(function () { return made; }); });
  });

  function seal(record) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return keyp.then(function (key) {
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, new TextEncoder().encode(JSON.stringify(record)));
    }).then(function (data) { return { key: record.key, iv: iv, data: data }; });
  }

  function unseal(row) {
    return keyp.then(function (key) { return crypto.subtle.decrypt({ name: "AES-GCM", iv: row.iv }, key, row.data); })
      .then(function (plain) { var record = JSON.parse(new TextDecoder().decode(plain)); record.refused = row.refused; return record; });
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  // The phone's ticket codes for tonight: the block handed out with the page, merged with what
  // it already holds; a code is marked used in the same transaction that takes it.
  function withPool(change) {
    return dbp.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction("codes", "readwrite");
        var store = t.objectStore("codes");
        var out;
        var get = store.get(night);
        get.onsuccess = function () {
          var pool = get.result || { night: night, codes: [], used: [], block: "" };
          out = change(pool);
          store.put(pool);
        };
        store.getAllKeys().onsuccess = function (e) {
          e.target.result.forEach(function (k) { if (k !== night) store.delete(k); });
        };
        t.oncomplete = function () { resolve(out); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }

  function addCodes(codes, block) {
    return withPool(function (pool) {
      codes.forEach(function (c) { if (pool.codes.indexOf(c) < 0 && pool.used.indexOf(c) < 0) pool.codes.push(c); });
      if (block !== undefined && block !== "") pool.block = String(block);
    });
  }

  function takeCode() {
    return withPool(function (pool) {
      var code = pool.codes.shift() || "";
      if (code) pool.used.push(code);
      return code;
    });
  }

  function knownBlock() { return withPool(function (pool) { return pool.block; }); }

  function word(name) { return box.getAttribute("data-w-" + name); }

  function control(name) { return form.querySelector("[name=" + name + "]"); }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-js-error]"), function (e) { e.remove(); });
  }

  function markErrors(errors) {
    clearErrors();
    var top = document.createElement("p");
    top.className = "errorlist";
    top.setAttribute("data-js-error", "");
    top.textContent = word("check");
    form.insertBefore(top, form.querySelector(".field"));
    Object.keys(errors).forEach(function (name) {
      var field = form.querySelector("#field-" + name) || top;
      var p = document.createElement("p");
      p.className = "errorlist";
      p.setAttribute("data-js-error", "");
      p.textContent = errors[name].join(" ");
      field.appendChild(p);
      var details = field.closest("details");
      if (details) details.open = true;
    });
  }

  // What the server would refuse anyway, said before anything is kept: the 6+ count first.
  function problems() {
    var size = form.querySelector("input[name=size_choice]:checked");
    var gender = form.querySelector("input[name=gender]:checked");
    var more = control("size_more");
    if (size && size.value === "6" && (!more.value || !more.checkValidity() || Number(more.value) < 6)) {
      return { size_more: [more.value && !more.checkValidity() ? more.validationMessage : word("count")] };
    }
    if (size && size.value === "1" && gender && gender.value === "mixed") return { gender: [word("alone")] };
    return null;
  }

  function fresh() {
    form.reset();
    clearErrors();
    control("key").value = newKey();
    control("ticket").value = "";
    var details = form.querySelector("details");
    if (details) details.open = false;
    dirty = false;
    form.querySelector("input:not([type=hidden])").focus({ preventScroll: true });
  }

  function refill(record, errors) {
    form.reset();
    record.fields.forEach(function (pair) {
      Array.prototype.forEach.call(form.querySelectorAll("[name=" + pair[0] + "]"), function (input) {
        if (input.type === "radio" || input.type === "checkbox") {
          if (input.value === pair[1]) input.checked = true;
          else if (input.type === "radio") input.checked = false;
        } else if (input.type !== "hidden") {
          input.value = pair[1];
        }
      });
    });
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (input) {
      input.checked = record.fields.some(function (p) { return p[0] === input.name && p[1] === input.value; });
    });
    control("key").value = record.key;
    control("ticket").value = record.ticket || "";
    markErrors(errors);
    dirty = true;
  }

  function showKept(record) {
    slot.textContent = "";
    slot.classList.toggle("new-ticket", !!record.ticket);
    slot.removeAttribute("data-sent");
    if (record.ticket) {
      var code = document.createElement("p");
      code.className = "ticket big";
      code.textContent = record.ticket;
      slot.appendChild(code);
    }
    var note = document.createElement("p");
    note.className = "muted";
    note.textContent = navigator.onLine ? word("sending") : word("kept");
    slot.appendChild(note);
  }

  function refresh(note) {
    return tx("outbox", "readonly", function (s) { return s.getAll(); }).then(function (rows) {
      var waiting = rows.filter(function (r) { return !r.refused; }).length;
      var refused = rows.filter(function (r) { return r.refused; });
      box.textContent = "";
      if (waiting) {
        var count = document.createElement("p");
        count.setAttribute("data-count", String(waiting));
        count.textContent = waiting === 1 ? word("one") : word("many").replace("%s", waiting);
        if (note) count.textContent += " " + note;
        box.appendChild(count);
      }
      return Promise.all(refused.map(unseal)).then(function (records) {
        records.forEach(function (record) {
          var line = document.createElement("p");
          line.className = "errorlist";
          line.textContent = word("refused") + " " + (record.ticket || "") + " " + record.refused + " ";
          var fix = document.createElement("button");
          fix.type = "button";
          fix.className = "secondary";
          fix.textContent = word("fix");
          fix.addEventListener("click", function () {
            tx("outbox", "readwrite", function (s) { s.delete(record.key); }).then(function () {
              refill(record, {});
              clearErrors();
              refresh();
            });
          });
          line.appendChild(fix);
          box.appendChild(line);
        });
        box.hidden = !waiting && !refused.length;
      });
    });
  }

  function token() { return form.querySelector("[name=csrfmiddlewaretoken]").value; }

  function newToken() {
    return fetch(form.getAttribute("action") + "?shell=1", { credentials: "same-origin", redirect: "error" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var found = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
        if (found) form.querySelector("[name=csrfmiddlewaretoken]").value = found[1];
        return !!found;
      });
  }

  function post(record, block) {
    var body = new FormData();
    record.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.set("key", record.key);
    body.set("ticket", record.ticket || "");
    body.set("block", block || "");
    body.set("csrfmiddlewaretoken", token());
    return fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json" }, redirect: "manual" });
  }

  function arrived(record, answer) {
    var list = document.getElementById("waiting-list");
    if (answer.row && list) {
      list.insertAdjacentHTML("beforeend", answer.row);
      if (window.htmx) window.htmx.process(list.lastElementChild);
    }
    var head = document.getElementById("waiting-head");
    if (head && answer.head) head.outerHTML = answer.head;
    if (record.key === current) {
      slot.innerHTML = answer.card;
      slot.classList.add("new-ticket");
      slot.setAttribute("data-sent", "");
    }
    if (answer.codes && answer.codes.length) return addCodes(answer.codes, answer.block);
  }

  // Send what waits, oldest first, one at a time; stop at the first sign of no signal.
  function send() {
    if (sending) return Promise.resolve();
    sending = true;
    var note = "";
    return Promise.all([tx("outbox", "readonly", function (s) { return s.getAll(); }), knownBlock()]).then(function (got) {
      var rows = got[0].filter(function (r) { return !r.refused; });
      var chain = Promise.resolve(true);
      rows.forEach(function (row) {
        chain = chain.then(function (going) { return going && unseal(row).then(function (record) { return one(record, row, got[1], true); }); });
      });
      return chain;
    }).catch(function () { return false; }).then(function () { sending = false; return refresh(note); });

    function one(record, row, block, retry) {
      return post(record, block).then(function (response) {
        if (response.status === 200 || response.status === 201) {
          return response.json().then(function (answer) {
            return tx("outbox", "readwrite", function (s) { s.delete(record.key); })
              .then(function () { return arrived(record, answer); }).then(function () { return true; });
          });
        }
        if (response.status === 400) {
          return response.json().then(function (answer) {
            if (record.key === current && !dirty) {
              slot.textContent = "";
              slot.classList.remove("new-ticket");
              return tx("outbox", "readwrite", function (s) { s.delete(record.key); })
                .then(function () { refill(record, answer.errors); return true; });
            }
            row.refused = Object.keys(answer.errors).map(function (k) { return answer.errors[k].join(" "); }).join(" ");
            return tx("outbox", "readwrite", function (s) { s.put(row); }).then(function () { return true; });
          });
        }
        if (response.status === 403 && retry) {
          return newToken().then(function (ok) { return ok && one(record, row, block, false); });
        }
        if (response.type === "opaqueredirect" || response.status === 403) note = word("login");
        return false;
      });
    }
  }

  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("input", function () { dirty = true; });

  // Capture: the form never reaches htmx while this script can keep it.
  document.addEventListener("submit", function (event) {
    if (event.target !== form) return;
    event.preventDefault();
    event.stopPropagation();
    var wrong = problems();
    if (wrong) { markErrors(wrong); return; }
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "key" && name !== "ticket") fields.push([name, value]);
    });
    var record = { key: control("key").value || newKey(), fields: fields, at: Date.now() };
    var preset = control("ticket").value;
    current = record.key;
    fresh();
    (preset ? Promise.resolve(preset) : takeCode()).then(function (code) {
      record.ticket = code;
      return seal(record);
    }).then(function (row) {
      return tx("outbox", "readwrite", function (s) { s.put(row); });
    }).then(function () {
      showKept(record);
      return refresh();
    }).then(send);
  }, true);

  addCodes((form.dataset.codes || "").split(" ").filter(Boolean), form.dataset.block).then(refresh).then(send);
  window.addEventListener("online", send);
  setInterval(function () { if (!box.hidden) send(); }, 20000);
})();
