//! The shape of `prompts/catalog.toml`, read by the core at run time and by build.rs.

#[derive(serde::Deserialize)]
pub struct CatalogFile {
    pub prompt: Vec<Prompt>,
}

#[derive(serde::Deserialize)]
pub struct Prompt {
    pub id: String,
    pub zh: String,
    pub en: String,
    /// What speech says where the written form reads badly aloud.
    #[serde(default)]
    pub spoken_zh: Option<String>,
    #[serde(default)]
    pub spoken_en: Option<String>,
}
