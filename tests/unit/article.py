"""Sentences of the article that the unit tests quote (verbatim, as in data/knowledge/)."""

CALCIUM = (
    "Adults typically need 1,000 to 1,200 mg of calcium daily, which can be sourced from "
    "dairy products, fortified plant milks, and dark leafy greens."
)
CHRONIC_INFLAMMATION = (
    "Chronic inflammation provides a third common pathway that can affect both tissues "
    "simultaneously."
)
EXERCISE = (
    "Weight-bearing exercise, like walking or strength training, encourages bone "
    "formation and increases bone strength."
)
FOLLICLES = (
    "Hair follicles are complex, mini-organs embedded in the skin, governed by local "
    "signaling molecules and hormones."
)
FOSAMAX = (
    "Specifically, the class of drugs known as bisphosphonates, such as alendronate "
    "(Fosamax), which are widely used to slow bone breakdown, have been reported to cause"
    " alopecia, although this is considered a rare side effect."
)
REMODELING = (
    "Osteoporosis is fundamentally a disease of bone remodeling, where bone-resorbing "
    "cells (osteoclasts) outpace bone-forming cells (osteoblasts)."
)
SKELETAL = (
    "Osteoporosis is a skeletal disease, while most forms of alopecia are dermatological "
    "conditions, meaning a direct physical cause is not the source of the correlation."
)
STEROIDS = (
    "Long-term or high-dose steroid use is known to be a direct risk factor for both bone"
    " loss and hair thinning."
)
TELOGEN = (
    "This same inflammatory environment can prematurely push hair follicles into the "
    "resting phase, resulting in a type of temporary shedding known as telogen effluvium."
)
UNQUOTED = (
    "Targeted supplementation is often necessary to optimize the body’s ability to "
    "utilize these building blocks."
)
VITAMIN_D_DOSE = (
    "While sunlight exposure is a source, many people require a supplement to maintain "
    "sufficient levels, often aiming for 600–800 International Units (IU) daily."
)
