/* 扫码收文: the clerk reads the code of a paper document and the server
 * signs for or registers it (egov.document.scan over /<db>/rpc/, as the
 * user). A QR code (the verification link) is read here by html5-qrcode;
 * the PDF417 is read on the server from a photo (a frame of the camera or
 * a picture), reduced here to at most 1,600 pixels so it is small to send
 * and quick to read. */
(function () {
    'use strict';
    const P = EgovPage;
    const SIDE = 1600;
    const MAX_BYTES = 10 * 1024 * 1024;
    const TEXT = P.texts({
        noCamera: 'scan_no_camera',
        tooBig: 'scan_too_big',
        signed: 'scan_signed',
        registered: 'scan_registered',
    });
    const cameraButton = document.getElementById('camera');
    const cameraBox = document.getElementById('camera-box');
    const fileInput = document.getElementById('file');
    const busy = document.getElementById('busy');
    const result = document.getElementById('result');
    let reader = null;
    let working = false;

    function show(answer) {
        document.getElementById('result-title').textContent =
            TEXT[answer.action] || answer.message;
        document.getElementById('result-number').textContent =
            answer.number || '—';
        document.getElementById('result-source').textContent =
            answer.source || '';
        document.getElementById('result-document').textContent =
            answer.title || '';
        document.getElementById('result-time').textContent =
            P.formatDateTime(answer.received_at);
        document.getElementById('result-open').href = '/#'
            + encodeURIComponent(P.database)
            + '/model/egov.document.incoming/' + answer.id;
        result.hidden = false;
        P.notice(answer.message, 'success');
        document.body.dataset.done = answer.action;
    }

    async function send(method, value) {
        if (working) {
            return;
        }
        working = true;
        busy.hidden = false;
        result.hidden = true;
        delete document.body.dataset.done;
        P.notice(null);
        try {
            show(await P.model('egov.document.scan', method, value));
        } catch (error) {
            P.showError(error);
            document.body.dataset.done = 'refused';
        } finally {
            working = false;
            busy.hidden = true;
        }
    }

    function base64(blob) {
        return new Promise(function (resolve, reject) {
            const file = new FileReader();
            file.onload = function () {
                resolve(String(file.result).split(',', 2)[1] || '');
            };
            file.onerror = reject;
            file.readAsDataURL(blob);
        });
    }

    // A JPEG of source (an image or a video frame) at most SIDE wide/high
    function reduce(source, width, height) {
        const scale = Math.min(1, SIDE / Math.max(width, height));
        const canvas = document.createElement('canvas');
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        canvas.getContext('2d').drawImage(
            source, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) {
            canvas.toBlob(resolve, 'image/jpeg', 0.92);
        });
    }

    async function sendPicture(blob) {
        await send('receive_image', P.bytes(await base64(blob)));
    }

    fileInput.addEventListener('change', async function () {
        const file = fileInput.files[0];
        fileInput.value = '';
        if (!file) {
            return;
        }
        let picture = null;
        try {
            const bitmap = await createImageBitmap(file);
            picture = await reduce(bitmap, bitmap.width, bitmap.height);
        } catch (error) {
            // Not a picture the browser knows: the server says what it is
            picture = null;
        }
        if (!picture && file.size > MAX_BYTES) {
            P.notice(TEXT.tooBig, 'error');
            return;
        }
        await sendPicture(picture || file);
    });

    async function stopCamera() {
        if (reader) {
            try {
                await reader.stop();
            } catch (error) {
                // already stopped
            }
            reader = null;
        }
        cameraBox.hidden = true;
        cameraButton.hidden = false;
    }

    cameraButton.addEventListener('click', async function () {
        cameraButton.hidden = true;
        cameraBox.hidden = false;
        reader = new Html5Qrcode('reader', {
            verbose: false,
            formatsToSupport: [Html5QrcodeSupportedFormats.QR_CODE,
                Html5QrcodeSupportedFormats.PDF_417],
        });
        try {
            await reader.start({facingMode: 'environment'},
                {fps: 8, qrbox: function (width, height) {
                    return {width: Math.floor(width * 0.8),
                        height: Math.floor(height * 0.6)};
                }},
                async function (text) {
                    await stopCamera();
                    await send('receive_text', text);
                },
                function () {
                    // no code in this frame
                });
        } catch (error) {
            console.error(error);
            reader = null;
            await stopCamera();
            P.notice(TEXT.noCamera, 'error');
        }
    });

    document.getElementById('stop').addEventListener('click', stopCamera);
    document.body.dataset.ready = '1';

    // The PDF417 of a 公文 is dense: the server reads a still of the frame
    document.getElementById('capture').addEventListener('click',
        async function () {
            const video = document.querySelector('#reader video');
            if (!video || !video.videoWidth) {
                return;
            }
            const picture = await reduce(
                video, video.videoWidth, video.videoHeight);
            await stopCamera();
            await sendPicture(picture);
        });
}());
