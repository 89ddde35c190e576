// Linux interfaces Swift's Glibc module does not export: eventfd (for VigilMySQL's DirectLoop).
#pragma once
#include <sys/eventfd.h>
