// The site's own script (no inline scripts: the pages' Content-Security-Policy
// allows scripts from this server only).
"use strict";

// Violations of the Content-Security-Policy, kept for the browser tests.
window.reestrViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.reestrViolations.push(event.violatedDirective + " " + event.blockedURI);
});

// Charts: an element with data-chart holds its ECharts option as JSON.
function drawCharts(root) {
  if (typeof echarts === "undefined") return;
  root.querySelectorAll("[data-chart]").forEach(function (element) {
    if (element.dataset.drawn) return;
    element.dataset.drawn = "1";
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(JSON.parse(element.dataset.chart));
    window.addEventListener("resize", function () { chart.resize(); });
  });
}

// Buttons that print the page (no inline onclick handlers).
function wirePrint(root) {
  root.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
}

// QR codes (jsQR, loaded on the pages that scan): a button with
// data-scan="FIELD" reads the back camera, a file input with
// data-scan-photo="FIELD" reads a photo; either puts the card number (the last
// segment of a card's /verify/<number> address) into FIELD and sends its form.
function readCode(pixels, width, height) {
  var code = jsQR(pixels, width, height, { inversionAttempts: "attemptBoth" });
  return code && code.data ? code.data.trim().split("/").pop() : null;
}

function found(form, fieldId, number) {
  form.querySelector("#" + fieldId).value = number;
  form.submit();
}

function scanCamera(button) {
  var form = button.closest("form");
  var box = form.querySelector(".scanner");
  var note = box.querySelector(".scan-note");
  var video = box.querySelector("video");
  box.hidden = false;
  if (typeof jsQR === "undefined" || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    note.textContent = "Камера здесь недоступна (нужен адрес https): сфотографируйте код или введите номер.";
    return;
  }
  note.textContent = "Наведите камеру на QR-код билета.";
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
    video.srcObject = stream;
    video.play();
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    function frame() {
      if (video.readyState >= 2 && video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var number = readCode(image.data, image.width, image.height);
        if (number) {
          stream.getTracks().forEach(function (track) { track.stop(); });
          found(form, button.dataset.scan, number);
          return;
        }
      }
      requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  }).catch(function (error) {
    note.textContent = "Камера не включилась (" + error.name + "): сфотографируйте код или введите номер.";
  });
}

function scanPhoto(input) {
  var form = input.closest("form");
  var file = input.files && input.files[0];
  if (!file || typeof jsQR === "undefined") return;
  // An image bitmap, not an object URL: the pages' CSP allows no blob: images.
  createImageBitmap(file).then(function (bitmap) {
    var canvas = document.createElement("canvas");
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    var context = canvas.getContext("2d");
    context.drawImage(bitmap, 0, 0);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var number = readCode(image.data, image.width, image.height);
    var note = form.querySelector(".scan-note");
    if (number) {
      found(form, input.dataset.scanPhoto, number);
    } else if (note) {
      form.querySelector(".scanner").hidden = false;
      note.textContent = "На фотографии не найден QR-код: снимите его ближе или введите номер.";
    }
  });
}

function wireScanners(root) {
  root.querySelectorAll("[data-scan]").forEach(function (button) {
    button.addEventListener("click", function () { scanCamera(button); });
  });
  root.querySelectorAll("[data-scan-photo]").forEach(function (input) {
    input.addEventListener("change", function () { scanPhoto(input); });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  drawCharts(document);
  wirePrint(document);
  wireScanners(document);
});
document.addEventListener("htmx:afterSettle", function (event) {
  drawCharts(event.target);
  wirePrint(event.target);
});
