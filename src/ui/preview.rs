//! The camera screens' camera: the scanner with its work for the screen, and its newest
//! frame as the preview's picture.

use std::cell::{Cell, RefCell};
use std::sync::mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

use kiosk_core::{CameraUse, Event};

use super::CameraOpener;
use crate::camera::face::{FacePhoto, FaceWatch};
use crate::camera::qr;
use crate::camera::scanner::{ScanEvent, Scanner};

pub struct CameraPreview {
    open_camera: CameraOpener,
    /// The camera (and the QR decoder or the face guidance), while a screen shows its picture.
    scanner: RefCell<Option<Scanner>>,
    /// The sequence number of the frame on screen.
    previewed: Cell<u64>,
}

impl CameraPreview {
    pub fn new(open_camera: CameraOpener) -> CameraPreview {
        CameraPreview { open_camera, scanner: RefCell::new(None), previewed: Cell::new(0) }
    }

    /// Starts the camera, and the QR decoder to read codes or the face guidance (which puts
    /// the picture in `face_photo`); what they find goes to `events`.
    pub fn open(&self, camera_use: CameraUse, face_photo: &FacePhoto, events: mpsc::Sender<Event>) {
        let open = self.open_camera.clone();
        let on_event = move |event| {
            let event = match event {
                ScanEvent::Read(payload) => Event::CodeRead { payload, now: unix_seconds() },
                ScanEvent::Face(news) => Event::Face(news),
                ScanEvent::Failed(problem) => Event::CameraFailed(problem),
            };
            let _ = events.send(event);
        };
        let scanner = match camera_use {
            CameraUse::ReadCodes => Scanner::open(move || open(), qr::decoder(), on_event),
            CameraUse::SelfView => Scanner::preview(move || open(), on_event),
            CameraUse::Face(attempt) => {
                Scanner::with_work(move || open(), Box::new(FaceWatch::new(face_photo.clone(), attempt)), on_event)
            }
        };
        *self.scanner.borrow_mut() = Some(scanner);
        self.previewed.set(0);
    }

    /// Releases the camera, waiting for its threads.
    pub fn close(&self) {
        drop(self.scanner.borrow_mut().take());
    }

    /// The camera's newest frame if it is not on screen yet, mirrored so that moving the
    /// phone feels like a mirror.
    pub fn newest_frame(&self) -> Option<slint::Image> {
        let (number, image) = self.scanner.borrow().as_ref().and_then(Scanner::latest_frame)?;
        if number == self.previewed.replace(number) {
            return None;
        }
        let mirrored = image::imageops::flip_horizontal(image.as_ref());
        let pixels = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::clone_from_slice(
            mirrored.as_raw(),
            mirrored.width(),
            mirrored.height(),
        );
        Some(slint::Image::from_rgb8(pixels))
    }
}

/// For a receipt's expiry.
fn unix_seconds() -> u32 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u32::try_from(now.as_secs()).unwrap_or(u32::MAX)
}
