// Linux interfaces Swift's Glibc module does not export: epoll and eventfd (for VigilMySQL's
// DirectLoop).
#pragma once
#include <sys/epoll.h>
#include <sys/eventfd.h>
