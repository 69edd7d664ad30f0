//! BlazeFace (MediaPipe) face detection with tract: the front (short-range, 128x128) model on
//! every frame, the back (full-range, 256x256) model only when the front one finds nothing.

use std::sync::Arc;

use image::RgbImage;
use tract_onnx::pb::{tensor_proto::DataType, AttributeProto, TensorProto};
use tract_onnx::prelude::*;

const FRONT_MODEL: &[u8] = include_bytes!("../models/face_detection_front_128x128_barracuda.onnx");
const BACK_MODEL: &[u8] = include_bytes!("../models/face_detection_back_256x256_barracuda.onnx");

/// Detections scoring below this are dropped. MediaPipe uses 0.5; on the test photo that let
/// a wall-and-flag false face (0.62) through, while half-visible faces at the frame edge
/// score 0.5-0.6 and are worth losing.
const MIN_SCORE: f32 = 0.65;
/// Overlapping detections above this IoU are blended into one (as MediaPipe's weighted NMS).
const NMS_IOU: f32 = 0.3;

/// A point in image-relative coordinates: x from 0 (left edge) to 1 (right edge), y from 0
/// (top) to 1 (bottom), in the frame as the camera delivers it (not mirrored).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// Which model found a face.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// The short-range model: faces within about 2 m, the kiosk's working distance.
    Front,
    /// The full-range model, run only when the front one found nothing: a face it finds is far.
    Back,
}

/// One detected face. Coordinates are image-relative (see [`Point`]); a box may reach a little
/// outside 0..1 when the face is cut by the frame's edge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Face {
    /// Centre of the face box.
    pub center: Point,
    /// Width and height of the face box, relative to the image's width and height.
    pub width: f32,
    pub height: f32,
    /// Keypoints in MediaPipe's order, see the `*_EYE`, `NOSE`, `MOUTH` and `*_EAR` indices.
    /// "Right" is the person's own right, which is on the left of the (unmirrored) image.
    pub keypoints: [Point; 6],
    /// Confidence, 0..1.
    pub score: f32,
    pub model: Model,
}

/// Indices into [`Face::keypoints`].
pub const RIGHT_EYE: usize = 0;
pub const LEFT_EYE: usize = 1;
pub const NOSE: usize = 2;
pub const MOUTH: usize = 3;
pub const RIGHT_EAR: usize = 4;
pub const LEFT_EAR: usize = 5;

impl Face {
    fn area(&self) -> f32 {
        self.width * self.height
    }

    fn iou(&self, other: &Face) -> f32 {
        let overlap = |c1: f32, s1: f32, c2: f32, s2: f32| {
            ((c1 + s1 / 2.0).min(c2 + s2 / 2.0) - (c1 - s1 / 2.0).max(c2 - s2 / 2.0)).max(0.0)
        };
        let inner = overlap(self.center.x, self.width, other.center.x, other.width)
            * overlap(self.center.y, self.height, other.center.y, other.height);
        inner / (self.area() + other.area() - inner)
    }
}

/// A model that failed to load: a broken build, never a bad frame.
#[derive(Debug)]
pub struct LoadError(pub String);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "face detection model: {}", self.0)
    }
}

impl std::error::Error for LoadError {}

/// The two BlazeFace models, embedded in the binary.
pub struct FaceDetector {
    front: Network,
    back: Network,
}

impl FaceDetector {
    pub fn load() -> Result<FaceDetector, LoadError> {
        let load = |bytes, size| Network::load(bytes, size).map_err(|e| LoadError(format!("{e:#}")));
        Ok(FaceDetector { front: load(FRONT_MODEL, 128)?, back: load(BACK_MODEL, 256)? })
    }

    /// Faces in the frame, largest first (the resident stands nearest; others are bystanders).
    /// Runs the front model, and the back model only if the front one found nothing: faces
    /// from the back model are marked [`Model::Back`].
    pub fn detect(&self, image: &RgbImage) -> Vec<Face> {
        let faces = self.front.detect(image, Model::Front);
        if faces.is_empty() {
            self.back.detect(image, Model::Back)
        } else {
            faces
        }
    }

    /// Only the back (full-range) model, for measuring it.
    pub fn detect_back(&self, image: &RgbImage) -> Vec<Face> {
        self.back.detect(image, Model::Back)
    }
}

struct Network {
    plan: Arc<TypedRunnableModel>,
    size: usize,
}

impl Network {
    fn load(bytes: &[u8], size: usize) -> TractResult<Network> {
        let onnx = tract_onnx::onnx();
        let mut proto = onnx.proto_model_for_read(&mut &bytes[..])?;
        // These ConstantOfShape nodes (the padding of the Pad layers) carry no value; tract
        // then makes f64 zeros, and loading fails at the f32 Concat after them ("Impossible
        // to unify F32 with F64"). Give them the f32 zero ONNX means by default.
        for node in proto.graph.iter_mut().flat_map(|g| g.node.iter_mut()) {
            if node.op_type == "ConstantOfShape" && node.attribute.is_empty() {
                node.attribute.push(AttributeProto {
                    name: "value".into(),
                    r#type: tract_onnx::pb::attribute_proto::AttributeType::Tensor as i32,
                    t: Some(TensorProto {
                        dims: vec![1],
                        data_type: DataType::Float as i32,
                        float_data: vec![0.0],
                        ..Default::default()
                    }),
                    ..Default::default()
                });
            }
        }
        let plan = onnx
            .model_for_proto_model(&proto)?
            .with_input_fact(0, f32::fact([1, size, size, 3]).into())?
            .into_optimized()?
            .into_runnable()?;
        Ok(Network { plan, size })
    }

    fn detect(&self, image: &RgbImage, model: Model) -> Vec<Face> {
        if image.width() == 0 || image.height() == 0 {
            return Vec::new();
        }
        let letterbox = Letterbox::new(image.width(), image.height(), self.size);
        let input = letterbox.tensor(image);
        // A failed run means a broken model, which load() already proved is not the case;
        // treat it as "no face" rather than take the kiosk down.
        let Ok(outputs) = self.plan.run(tvec!(input.into())) else {
            return Vec::new();
        };
        let outputs: Vec<Vec<f32>> = outputs
            .iter()
            .map(|o| o.to_plain_array_view::<f32>().map(|v| v.iter().copied().collect()).unwrap_or_default())
            .collect();
        let mut candidates = Vec::new();
        // Two output layers: 16x16 cells with 2 anchors each, then 8x8 cells with 6.
        decode(&outputs[0], &outputs[2], 16, 2, self.size, &mut candidates);
        decode(&outputs[1], &outputs[3], 8, 6, self.size, &mut candidates);
        let mut faces: Vec<Face> =
            blend_overlaps(candidates).into_iter().map(|raw| letterbox.to_image(raw, model)).collect();
        faces.sort_by(|a, b| b.area().total_cmp(&a.area()));
        faces
    }
}

/// The frame scaled to fit the square model input, centred, with grey bars.
struct Letterbox {
    width: u32,
    height: u32,
    size: usize,
    scale: f32,
    offset_x: f32,
    offset_y: f32,
}

impl Letterbox {
    fn new(width: u32, height: u32, size: usize) -> Letterbox {
        let scale = size as f32 / width.max(height) as f32;
        Letterbox {
            width,
            height,
            size,
            scale,
            offset_x: (size as f32 - width as f32 * scale) / 2.0,
            offset_y: (size as f32 - height as f32 * scale) / 2.0,
        }
    }

    /// NHWC input in [-1, 1]. Each input pixel averages a grid of up to 4x4 frame pixels
    /// (area sampling, capped to keep large frames cheap); bars are 0, mid-grey.
    fn tensor(&self, image: &RgbImage) -> Tensor {
        let size = self.size;
        let mut data = vec![0f32; size * size * 3];
        let (w, h) = (self.width as usize, self.height as usize);
        let step = 1.0 / self.scale;
        let samples = (step.ceil() as usize).clamp(1, 4);
        let pixels = image.as_raw();
        for ty in 0..size {
            let sy = (ty as f32 + 0.5 - self.offset_y) * step;
            if sy < 0.0 || sy >= h as f32 {
                continue;
            }
            for tx in 0..size {
                let sx = (tx as f32 + 0.5 - self.offset_x) * step;
                if sx < 0.0 || sx >= w as f32 {
                    continue;
                }
                let mut sum = [0u32; 3];
                for j in 0..samples {
                    let y = ((sy + (j as f32 + 0.5) / samples as f32 * step - step / 2.0) as usize).min(h - 1);
                    for i in 0..samples {
                        let x = ((sx + (i as f32 + 0.5) / samples as f32 * step - step / 2.0) as usize).min(w - 1);
                        let p = (y * w + x) * 3;
                        sum[0] += pixels[p] as u32;
                        sum[1] += pixels[p + 1] as u32;
                        sum[2] += pixels[p + 2] as u32;
                    }
                }
                let norm = 2.0 / (255.0 * (samples * samples) as f32);
                let t = (ty * size + tx) * 3;
                for c in 0..3 {
                    data[t + c] = sum[c] as f32 * norm - 1.0;
                }
            }
        }
        tract_ndarray::Array4::from_shape_vec((1, size, size, 3), data).expect("shape matches the buffer").into()
    }

    /// From model-input-relative (0..1 of the square) to image-relative coordinates.
    fn to_image(&self, raw: RawFace, model: Model) -> Face {
        let size = self.size as f32;
        let sx = size / (self.width as f32 * self.scale);
        let sy = size / (self.height as f32 * self.scale);
        let point = |p: [f32; 2]| Point {
            x: (p[0] * size - self.offset_x) / (self.width as f32 * self.scale),
            y: (p[1] * size - self.offset_y) / (self.height as f32 * self.scale),
        };
        Face {
            center: point(raw.center),
            width: raw.extent[0] * sx,
            height: raw.extent[1] * sy,
            keypoints: raw.keypoints.map(point),
            score: raw.score,
            model,
        }
    }
}

/// A detection in model-input-relative coordinates (0..1 of the square input).
#[derive(Clone, Copy)]
struct RawFace {
    center: [f32; 2],
    extent: [f32; 2],
    keypoints: [[f32; 2]; 6],
    score: f32,
}

impl RawFace {
    fn as_face(&self) -> Face {
        let p = |q: [f32; 2]| Point { x: q[0], y: q[1] };
        Face {
            center: p(self.center),
            width: self.extent[0],
            height: self.extent[1],
            keypoints: self.keypoints.map(p),
            score: self.score,
            model: Model::Front,
        }
    }
}

/// BlazeFace's SSD anchors: one per anchor slot at each cell centre, of fixed size, so a box
/// is the anchor centre plus an offset, with width and height in input pixels.
fn decode(scores: &[f32], boxes: &[f32], cells: usize, per_cell: usize, size: usize, out: &mut Vec<RawFace>) {
    let scale = 1.0 / size as f32;
    for (i, &logit) in scores.iter().enumerate().take(cells * cells * per_cell) {
        let score = 1.0 / (1.0 + (-logit.clamp(-100.0, 100.0)).exp());
        if score < MIN_SCORE {
            continue;
        }
        let cell = i / per_cell;
        let anchor = [((cell % cells) as f32 + 0.5) / cells as f32, ((cell / cells) as f32 + 0.5) / cells as f32];
        let b = &boxes[i * 16..i * 16 + 16];
        let mut keypoints = [[0.0; 2]; 6];
        for (k, point) in keypoints.iter_mut().enumerate() {
            *point = [anchor[0] + b[4 + 2 * k] * scale, anchor[1] + b[5 + 2 * k] * scale];
        }
        out.push(RawFace {
            center: [anchor[0] + b[0] * scale, anchor[1] + b[1] * scale],
            extent: [b[2] * scale, b[3] * scale],
            keypoints,
            score,
        });
    }
}

/// Weighted non-maximum suppression: each strongest remaining detection absorbs those that
/// overlap it, its geometry becoming their score-weighted mean (steadier than plain NMS).
fn blend_overlaps(mut candidates: Vec<RawFace>) -> Vec<RawFace> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut result = Vec::new();
    while let Some(best) = candidates.first().copied() {
        let (group, rest): (Vec<RawFace>, Vec<RawFace>) =
            candidates.into_iter().partition(|c| c.as_face().iou(&best.as_face()) >= NMS_IOU);
        candidates = rest;
        let total: f32 = group.iter().map(|c| c.score).sum();
        let mut blended = RawFace { score: best.score, ..best };
        let mean = |get: &dyn Fn(&RawFace) -> f32| group.iter().map(|c| get(c) * c.score).sum::<f32>() / total;
        for axis in 0..2 {
            blended.center[axis] = mean(&|c| c.center[axis]);
            blended.extent[axis] = mean(&|c| c.extent[axis]);
            for k in 0..6 {
                blended.keypoints[k][axis] = mean(&|c| c.keypoints[k][axis]);
            }
        }
        result.push(blended);
    }
    result
}
