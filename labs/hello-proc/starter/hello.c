// hello.c
#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>

#define PROC_FILENAME "hello_proc"

static struct proc_dir_entry *proc_entry;

// Reading /proc/hello_proc: `cat` calls this again and again until it returns 0 (end of file).
static ssize_t hello_read(struct file *file, char __user *buffer,
                         size_t count, loff_t *pos) {
    static const char message[] = "Hello from kernel module!\n";
    size_t message_len = sizeof(message) - 1;

    // TODO 4: the reader has already had *pos bytes of the message.
    //   - If *pos has reached message_len, return 0: end of file.
    //   - Otherwise give it at most `count` bytes, starting at message + *pos, with
    //     copy_to_user(buffer, ...); if copy_to_user fails (returns non-zero), return -EFAULT.
    //   - Advance *pos by what you copied and return that number of bytes.
    return 0;
}

// Writing /proc/hello_proc: `echo "Test message" | sudo tee /proc/hello_proc` ends up here.
static ssize_t hello_write(struct file *file, const char __user *buffer,
                          size_t count, loff_t *pos) {
    // TODO 5: log "Hello module: received N bytes" (N is count; printk's format for a
    //         size_t is %zu) at KERN_INFO level, and accept all the bytes: return count.
    return -EINVAL;
}

// What the kernel calls for each operation on the /proc file.
static const struct proc_ops hello_proc_ops = {
    // TODO 3: point .proc_read and .proc_write at hello_read and hello_write.
};

// Runs at `insmod hello.ko`.
static int __init hello_init(void) {
    printk(KERN_INFO "Hello module: initializing\n");

    // TODO 2: create /proc/hello_proc with proc_create(PROC_FILENAME, 0666, NULL, &hello_proc_ops)
    //         and keep what it returns in proc_entry. If it returns NULL, log
    //         "Hello module: failed to create proc entry" at KERN_ERR and return -ENOMEM.

    printk(KERN_INFO "Hello module: loaded successfully\n");
    return 0;
}

// Runs at `rmmod hello`.
static void __exit hello_exit(void) {
    // TODO 6: remove /proc/hello_proc (proc_remove), or it outlives the module.
    printk(KERN_INFO "Hello module: unloaded\n");
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Your Name");
MODULE_DESCRIPTION("Hello World kernel module with proc interface");
MODULE_VERSION("1.0");
