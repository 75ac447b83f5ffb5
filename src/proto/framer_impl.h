// Placeholder: the framer's template implementation lands with the proto module.
#pragma once
