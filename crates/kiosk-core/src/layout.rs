//! Where the kiosk's parts are, for a resident who cannot see them: the center names the
//! places in the configuration (`camera_place`, `keypad_place`, `jack_place`); the face screen
//! says where the camera is, and the braille bezel label where the keypad and the jack are
//! (the `braille-guides` crate).

macro_rules! places {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $string:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)*
        }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant,)*];

            /// Its name in the configuration.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $string,)*
                }
            }

            pub fn parse(name: &str) -> Result<$name, String> {
                $name::ALL.iter().copied().find(|place| place.name() == name).ok_or_else(|| {
                    let known: Vec<&str> = $name::ALL.iter().map(|p| p.name()).collect();
                    format!("expected one of {}, found {name:?}", known.join(", "))
                })
            }
        }
    };
}

places! {
    /// Where the camera is, from the screen.
    #[derive(Default)]
    CameraPlace {
        #[default]
        AboveCentre = "above-centre",
        AboveLeft = "above-left",
        AboveRight = "above-right",
        BelowCentre = "below-centre",
    }
}

places! {
    /// Where the tactile keypad is mounted.
    KeypadPlace {
        BelowScreen = "below-screen",
        RightOfScreen = "right-of-screen",
        LeftOfScreen = "left-of-screen",
    }
}

places! {
    /// Where the headphone jack is, from the keypad.
    JackPlace {
        RightOfKeypad = "right-of-keypad",
        LeftOfKeypad = "left-of-keypad",
        BelowKeypad = "below-keypad",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_named_in_the_configuration() {
        assert_eq!(KeypadPlace::parse("right-of-screen"), Ok(KeypadPlace::RightOfScreen));
        assert_eq!(JackPlace::parse(JackPlace::BelowKeypad.name()), Ok(JackPlace::BelowKeypad));
        assert!(KeypadPlace::parse("on-the-wall").unwrap_err().contains("below-screen"));
    }
}
