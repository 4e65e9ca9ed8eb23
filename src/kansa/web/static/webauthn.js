// The WebAuthn ceremonies of `kansa serve` (W3C WebAuthn Level 2, sections 5.1.3 and 5.1.4).
// Served from the app (the CSP forbids inline script; no CDN). A form with data-webauthn
// ("create" or "get") carries the server's options in data-options; on submit this asks the
// authenticator, puts its answer (JSON, binary fields in base64url) in the form's
// "credential" field and posts the form with its CSRF token. Refusals are posted too, so the
// server records every ceremony. Browsers without WebAuthn never see these forms.
(function () {
  "use strict";

  function toBuffer(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    var bin = atob(b64 + "===".slice((b64.length + 3) % 4));
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeIds(list) {
    (list || []).forEach(function (c) { c.id = toBuffer(c.id); });
  }

  function encode(cred) {
    var r = cred.response;
    var out = {
      id: cred.id, rawId: toBase64url(cred.rawId), type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(r.clientDataJSON) }
    };
    if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
    if (r.attestationObject) {
      out.response.attestationObject = toBase64url(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = toBase64url(r.authenticatorData);
      out.response.signature = toBase64url(r.signature);
      if (r.userHandle) out.response.userHandle = toBase64url(r.userHandle);
    }
    return JSON.stringify(out);
  }

  function ask(kind, options) {
    options.challenge = toBuffer(options.challenge);
    if (kind === "create") {
      options.user.id = toBuffer(options.user.id);
      decodeIds(options.excludeCredentials);
      return navigator.credentials.create({ publicKey: options });
    }
    decodeIds(options.allowCredentials);
    return navigator.credentials.get({ publicKey: options });
  }

  document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
    if (!window.PublicKeyCredential || !navigator.credentials) return;
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var field = form.querySelector("input[name=credential]");
      var button = form.querySelector("button");
      if (button) button.disabled = true;
      ask(form.dataset.webauthn, JSON.parse(form.dataset.options)).then(function (cred) {
        field.value = encode(cred);
      }, function (err) {
        field.value = JSON.stringify({ error: String((err && err.name) || err) });
      }).then(function () { form.submit(); });
    });
  });
})();
