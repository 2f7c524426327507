// Signing with one's card or USB key through the local agent (convsign-agent serve).
// The agent answers on the loopback address, only to this server's origin; the PIN goes to it, never
// to the server. Steps: certificates from the agent, prepare on the server (the digest to sign), the
// agent signs on the card, finish on the server. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var box = document.getElementById("carte");
  if (!box) { return; }
  var agent = box.dataset.agent;
  var absent = document.getElementById("carte-absente");
  var present = document.getElementById("carte-presente");
  var select = document.getElementById("carte-certificat");
  var pin = document.getElementById("carte-pin");
  var approve = document.getElementById("carte-approuve");
  var button = document.getElementById("carte-signer");
  var progress = document.getElementById("carte-progression");
  var certificates = [];

  function say(key, extra) {
    progress.textContent = progress.dataset[key] + (extra ? " " + extra : "");
  }

  function json(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return { status: response.status, body: body };
    });
  }

  function server(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf },
      body: JSON.stringify(body)
    }).then(json);
  }

  function fail(detail) {
    say("failed", detail || "");
    button.disabled = false;
  }

  function sign() {
    if (!approve.checked) { say("approve"); return; }
    var chosen = certificates[select.selectedIndex];
    if (!chosen) { return; }
    button.disabled = true;
    say("preparing");
    server(box.dataset.prepare, {
      seen_sha256: box.dataset.seen, approve: true, certificates: [chosen.der].concat(chosen.chain)
    }).then(function (prepared) {
      if (prepared.status === 409) { say("changed"); window.setTimeout(function () { window.location.reload(); }, 1500); return null; }
      if (prepared.status !== 201) { fail(prepared.body.detail); return null; }
      say("signing");
      return fetch(agent + "/sign", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          certificate_id: chosen.id, digest: prepared.body.digest,
          algorithm: prepared.body.signature_algorithm, pin: pin.value, document: box.dataset.document
        })
      }).then(json).then(function (signed) {
        pin.value = "";
        if (signed.status !== 200) { fail(signed.body.detail); return null; }
        say("finishing");
        return server(box.dataset.finish, { preparation: prepared.body.preparation, signature: signed.body.signature });
      });
    }).then(function (finished) {
      if (!finished) { return; }
      if (finished.status === 409) { say("changed"); window.setTimeout(function () { window.location.reload(); }, 1500); return; }
      if (finished.status !== 201) { fail(finished.body.detail); return; }
      say("done");
      window.location.assign(finished.body.next);
    }).catch(function () { fail(""); });
  }

  fetch(agent + "/status").then(function (response) {
    if (!response.ok) { throw new Error("agent"); }
    return fetch(agent + "/certificates");
  }).then(json).then(function (answer) {
    if (answer.status !== 200 || !answer.body.length) { throw new Error("certificates"); }
    certificates = answer.body;
    certificates.forEach(function (certificate) {
      var option = document.createElement("option");
      option.value = certificate.id;
      option.textContent = certificate.subject + " (" + certificate.label + ")";
      select.appendChild(option);
    });
    absent.hidden = true;
    present.hidden = false;
    button.addEventListener("click", sign);
  }).catch(function () { /* no agent on this machine: the installation steps stay shown */ });
}());
